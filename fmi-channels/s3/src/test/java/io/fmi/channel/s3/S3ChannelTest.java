package io.fmi.channel.s3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.ChannelException;
import io.fmi.FmiConfigException;
import io.fmi.channels.testing.RestartableServer;
import io.fmi.channels.testing.S3Server;
import io.fmi.channels.testing.StoreChannelContract;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3ChannelTest extends StoreChannelContract {
    @Override
    protected String backend() {
        return "S3";
    }

    @Override
    protected String expectedChannel() {
        return "s3";
    }

    @Override
    protected ObjectNode backendEntry() {
        return S3Server.shared().backend();
    }

    @Override
    protected List<String> storedUnder(ObjectNode entry, String keyPrefix) {
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(entry.get("endpoint").asText()))
                .region(Region.of(entry.get("s3_region").asText()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        entry.get("access_key").asText(), entry.get("secret_key").asText())))
                .build()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(entry.get("bucket_name").asText()).prefix(keyPrefix))
                    .contents().stream().map(S3Object::key).sorted().collect(Collectors.toList());
        }
    }

    @Override
    protected String chunkKey() {
        return null;
    }

    @Override
    protected RestartableServer restartableServer() {
        return S3Server.launch();
    }

    @Test
    @Timeout(30)
    void shouldFailAtOnceNamingAMissingBucketWhenNotAllowedToCreateIt() {
        ObjectNode entry = backendEntry().put("bucket_name", "no-such-bucket").put("create", false);
        long t0 = System.nanoTime();
        ChannelException e = assertThrows(ChannelException.class, () -> sumOver(entry, 2, Duration.ofSeconds(5)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("no-such-bucket"), e.getMessage());
        assertFalse(e.retryable());
        assertTrue(ms < 4_000, "took " + ms + " ms: a missing bucket must not be retried until the deadline");
    }

    @Test
    @Timeout(30)
    void shouldFailAtOnceWhenTheCredentialsAreRefused() {
        ObjectNode entry = backendEntry().put("secret_key", "not-the-secret");
        ChannelException e = assertThrows(ChannelException.class, () -> sumOver(entry, 2, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("s3://" + S3Server.BUCKET), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-secret"), "the secret leaked into: " + e.getMessage());
    }

    @Test
    @Timeout(10)
    void shouldRejectAPollBackOffBelowOne() {
        ObjectNode entry = backendEntry().put("poll_backoff", 0.5);
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> sumOver(entry, 2, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("poll_backoff: 0.5"), e.getMessage());
    }
}
