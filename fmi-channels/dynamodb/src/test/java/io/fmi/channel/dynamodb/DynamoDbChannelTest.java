package io.fmi.channel.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.ChannelException;
import io.fmi.FmiConfigException;
import io.fmi.channels.testing.DynamoDbServer;
import io.fmi.channels.testing.RestartableServer;
import io.fmi.channels.testing.StoreChannelContract;
import io.fmi.local.LocalCluster;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

class DynamoDbChannelTest extends StoreChannelContract {
    @Override
    protected String backend() {
        return "DynamoDB";
    }

    @Override
    protected String expectedChannel() {
        return "dynamodb";
    }

    @Override
    protected ObjectNode backendEntry() {
        return DynamoDbServer.shared().backend();
    }

    static DynamoDbClient client(ObjectNode entry) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(entry.get("endpoint").asText()))
                .region(Region.of(entry.get("region").asText()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        entry.get("access_key").asText(), entry.get("secret_key").asText())))
                .build();
    }

    @Override
    protected List<String> storedUnder(ObjectNode entry, String keyPrefix) {
        try (DynamoDbClient db = client(entry)) {
            return db.scanPaginator(ScanRequest.builder().tableName(entry.get("table_name").asText())
                            .filterExpression("begins_with(k, :p)")
                            .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(keyPrefix))).consistentRead(true).build())
                    .items().stream().map(i -> i.get("k").s() + "#" + i.get("c").n()).sorted().collect(Collectors.toList());
        }
    }

    @Override
    protected String chunkKey() {
        return "chunk_bytes";
    }

    @Override
    protected RestartableServer restartableServer() {
        return DynamoDbServer.launch();
    }

    @Test
    @Timeout(30)
    void shouldFailAtOnceNamingAMissingTableWhenNotAllowedToCreateIt() {
        ObjectNode entry = backendEntry().put("table_name", "no-such-table").put("create", false);
        long t0 = System.nanoTime();
        ChannelException e = assertThrows(ChannelException.class, () -> sumOver(entry, 2, Duration.ofSeconds(5)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("no-such-table"), e.getMessage());
        assertTrue(e.getMessage().contains("dynamodb"), e.getMessage());
        assertFalse(e.retryable());
        assertTrue(ms < 4_000, "took " + ms + " ms: a missing table must not be retried until the deadline");
    }

    @Test
    @Timeout(10)
    void shouldRejectAChunkAboveTheItemLimit() {
        ObjectNode entry = backendEntry().put("chunk_bytes", 400_000);
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> sumOver(entry, 1, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("chunk_bytes: 400000"), e.getMessage());
    }

    @Test
    @Timeout(60)
    void shouldCarryAPayloadOfSeveralItemsWithTheDefaultChunkSize() {
        int size = 1_000_003;
        List<Integer> sums = LocalCluster.run(config(backendEntry()), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            byte[] buf = new byte[size];
            if (comm.rank() == 0) {
                for (int i = 0; i < size; i++) {
                    buf[i] = (byte) i;
                }
            }
            comm.bcast(buf, 0);
            int sum = 0;
            for (byte b : buf) {
                sum += b;
            }
            return sum;
        });
        assertEquals(sums.get(0), sums.get(1));
    }
}
