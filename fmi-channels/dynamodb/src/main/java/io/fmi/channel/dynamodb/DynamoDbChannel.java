package io.fmi.channel.dynamodb;

import io.fmi.ChannelException;
import io.fmi.Operation;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import io.fmi.channel.aws.AwsCalls;
import io.fmi.channel.aws.PollSchedule;
import io.fmi.model.PollIntervalModel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The mediated channel over DynamoDB, on the AWS SDK for Java v2. DynamoDB cannot block a reader,
 * so readers poll with strongly consistent {@code GetItem}s on a back-off ({@link PollSchedule}:
 * the backend's {@code timeout} in ms, else the cost model's poll interval ({@link PollIntervalModel}), growing 1.5x per miss up
 * to {@code poll_max_ms}).
 *
 * <h2>Table and items</h2>
 * One table (partition key {@code k}, string; sort key {@code c}, number), shared by every job:
 * <pre>
 *   k = "fmi/kmeans/run-7/c42/bcast"  c = 0   n = 3 (chunks)  d = &lt;bytes 0..349999&gt;  ttl = 1767225600
 *   k = "fmi/kmeans/run-7/c42/bcast"  c = 1   d = &lt;bytes 350000..699999&gt;              ttl = ...
 *   k = "fmi/kmeans/run-7/c42/bcast"  c = 2   d = &lt;the rest&gt;                            ttl = ...
 *   k = "fmi/kmeans/run-7/c9/barrier" c = 0   m = {"0:17", "1:17", "2:18"} (counter)      ttl = ...
 * </pre>
 * An item holds at most 400 KB, so a payload is cut into {@code chunk_bytes} pieces (350,000 by
 * default). Chunks 1.. are written first ({@code BatchWriteItem}), chunk 0 last, so a reader that
 * sees chunk 0 with a consistent read finds the others with one consistent {@code Query}. Every
 * item carries {@code ttl} (epoch seconds, now + {@code ttl_seconds}); enable Time To Live on that
 * attribute and DynamoDB removes what a crashed job left behind (the channel does so itself when it
 * creates the table). A counter is a string set: {@code increment} adds a token unique to the call
 * ({@code ADD}) and counts the set, so a retried request never counts twice. A member record,
 * which claims a rank of a run and carries its heartbeat, is item {@code c = 0} of its key with the
 * record in {@code d}, claimed by a {@code PutItem} on condition {@code attribute_not_exists(k)}.
 *
 * <h2>Errors and ownership</h2>
 * See {@link AwsCalls}: throttling, 5xx and connection failures are retried inside the deadline;
 * a missing table, denied access or an item too large fail at once, naming the table. The SDK
 * client is built on first use and closed by {@link #close()}, unless it was passed in (then it
 * is the caller's).
 *
 * <pre>
 * "DynamoDB": {"enabled": true, "table_name": "fmi", "region": "eu-central-1", "create": true}
 * </pre>
 *
 * <p>Thread-safe.
 */
public class DynamoDbChannel extends MediatedChannel {
    private static final Logger log = LoggerFactory.getLogger(DynamoDbChannel.class);

    static final String KEY = "k";
    static final String CHUNK = "c";
    static final String DATA = "d";
    static final String CHUNKS = "n";
    static final String TTL = "ttl";
    static final String MEMBERS = "m";
    private static final int BATCH = 25;
    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);

    private final DynamoDbSettings settings;
    private final DynamoDbClient given;
    private final Map<String, Integer> chunksOf = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private DynamoDbClient client;
    private PollSchedule poll;
    private volatile boolean tableReady;

    /** A channel that builds its own client from the backend configuration, on first use. */
    public DynamoDbChannel(ChannelContext context) {
        this(context, null);
    }

    /** A channel over {@code client} (the caller's to close), or its own when null. */
    public DynamoDbChannel(ChannelContext context, DynamoDbClient client) {
        super(context);
        this.settings = DynamoDbSettings.from(context.backend());
        this.given = client;
        AwsCalls.endpoint(context.backend());
    }

    private synchronized PollSchedule poll() {
        if (poll == null) {
            // The backend's timeout, else the cost model's interval, else 50 ms.
            poll = PollSchedule.forChannel(context, Duration.ofMillis(50));
            log.debug("{} {}", context.logPrefix(), poll);
        }
        return poll;
    }

    private synchronized DynamoDbClient client() {
        if (client == null) {
            client = given != null ? given : newClient(context, settings);
        }
        return client;
    }

    /** Builds the DynamoDB client of a backend entry; no network I/O. */
    static DynamoDbClient newClient(ChannelContext context, DynamoDbSettings settings) {
        return AwsCalls.build(DynamoDbClient.builder(), context, settings.region, "region", "DynamoDB client for table " + settings.table);
    }

    private String itemKey(String key) {
        return settings.keyPrefix + key;
    }

    private String resource(String itemKey) {
        return "dynamodb://" + settings.table + "/" + itemKey;
    }

    private static Map<String, AttributeValue> keyOf(String k, int chunk) {
        Map<String, AttributeValue> m = new HashMap<>(4);
        m.put(KEY, AttributeValue.fromS(k));
        m.put(CHUNK, AttributeValue.fromN(Integer.toString(chunk)));
        return m;
    }

    private long expiresAt() {
        return System.currentTimeMillis() / 1000 + settings.ttlSeconds;
    }

    // ---------------------------------------------------------------- store primitives

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        int length = value.remaining();
        int chunks = Math.max(1, (int) ((length + (long) settings.chunkBytes - 1) / settings.chunkBytes));
        chunksOf.put(key, chunks);
        String ttl = Long.toString(expiresAt());
        List<WriteRequest> rest = new ArrayList<>(chunks - 1);
        for (int i = 1; i < chunks; i++) {
            Map<String, AttributeValue> item = keyOf(k, i);
            item.put(DATA, AttributeValue.fromB(slice(value, i)));
            item.put(TTL, AttributeValue.fromN(ttl));
            rest.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        writeBatches(rest, k, op);
        Map<String, AttributeValue> head = keyOf(k, 0);
        head.put(CHUNKS, AttributeValue.fromN(Integer.toString(chunks)));
        head.put(DATA, AttributeValue.fromB(slice(value, 0)));
        head.put(TTL, AttributeValue.fromN(ttl));
        AwsCalls.call(op, "PutItem", resource(k), t -> client().putItem(b -> b.tableName(settings.table).item(head)
                .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "PutItem", k, e));
        log.trace("{} put {} ({} B, {} items)", context.logPrefix(), k, length, chunks);
    }

    private SdkBytes slice(ByteBuffer value, int chunk) {
        int from = (int) Math.min(value.remaining(), (long) chunk * settings.chunkBytes);
        int to = (int) Math.min(value.remaining(), (long) from + settings.chunkBytes);
        ByteBuffer b = value.duplicate();
        b.limit(b.position() + to).position(b.position() + from);
        return SdkBytes.fromByteBuffer(b);
    }

    /** Writes or deletes in batches of 25, sending back what DynamoDB left unprocessed until the deadline. */
    private void writeBatches(List<WriteRequest> requests, String k, OpContext op) {
        for (int from = 0; from < requests.size(); from += BATCH) {
            List<WriteRequest> pending = requests.subList(from, Math.min(requests.size(), from + BATCH));
            long backoffMs = 20;
            while (!pending.isEmpty()) {
                List<WriteRequest> batch = pending;
                BatchWriteItemResponse r = AwsCalls.call(op, "BatchWriteItem", resource(k), t -> client().batchWriteItem(b -> b
                        .requestItems(Map.of(settings.table, batch)).overrideConfiguration(o -> o.apiCallTimeout(t))),
                        e -> refused(op, "BatchWriteItem", k, e));
                pending = r.hasUnprocessedItems() ? r.unprocessedItems().getOrDefault(settings.table, List.of()) : List.of();
                if (!pending.isEmpty()) {
                    if (op.deadline().remainingNanos() <= backoffMs * 1_000_000) {
                        throw new ChannelException(op.label() + ": BatchWriteItem of " + resource(k) + " left " + pending.size()
                                + " items unprocessed (throttled) until the deadline of " + op.deadline().timeout().toMillis() + " ms " + op.where(), null, true);
                    }
                    AwsCalls.sleep(backoffMs, op);
                    backoffMs = Math.min(backoffMs * 2, 1000);
                }
            }
        }
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        Map<String, AttributeValue> head = poll().await(k, waitNanos, op, () -> {
            GetItemResponse r = AwsCalls.call(op, "GetItem", resource(k), t -> client().getItem(b -> b.tableName(settings.table)
                    .key(keyOf(k, 0)).consistentRead(true).overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "GetItem", k, e));
            return r.hasItem() && !r.item().isEmpty() ? r.item() : null;
        });
        if (head == null) {
            return null;
        }
        AttributeValue n = head.get(CHUNKS);
        AttributeValue d = head.get(DATA);
        if (n == null || d == null) {
            throw new ChannelException(op.label() + ": item " + resource(k) + " is not an FMI object (no n and d attributes) " + op.where());
        }
        int chunks = Integer.parseInt(n.n());
        chunksOf.put(key, chunks);
        byte[] first = d.b().asByteArrayUnsafe();
        if (chunks == 1) {
            return first;
        }
        List<byte[]> parts = new ArrayList<>(chunks);
        parts.add(first);
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse q = AwsCalls.call(op, "Query", resource(k), t -> client().query(b -> b.tableName(settings.table)
                    .consistentRead(true)
                    .keyConditionExpression("#k = :k AND #c >= :one")
                    .expressionAttributeNames(Map.of("#k", KEY, "#c", CHUNK))
                    .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(k), ":one", AttributeValue.fromN("1")))
                    .exclusiveStartKey(from)
                    .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "Query", k, e));
            for (Map<String, AttributeValue> item : q.items()) {
                parts.add(item.get(DATA).b().asByteArrayUnsafe());
            }
            start = q.hasLastEvaluatedKey() && !q.lastEvaluatedKey().isEmpty() ? q.lastEvaluatedKey() : null;
        } while (start != null);
        if (parts.size() != chunks) {
            throw new ChannelException(op.label() + ": " + resource(k) + " has " + parts.size() + " of its " + chunks
                    + " chunks (expired or deleted while being read?) " + op.where());
        }
        long total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new ChannelException(op.label() + ": " + resource(k) + " holds " + total + " B, above the 2 GiB of one Java array " + op.where());
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    protected void delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        OpContext op = new OpContext(Operation.BARRIER, "delete", OpContext.P2P_SEQ, Deadline.after(DELETE_TIMEOUT), context);
        List<WriteRequest> deletes = new ArrayList<>();
        for (String key : keys) {
            Integer n = chunksOf.remove(key);
            String k = itemKey(key);
            for (int c = 0; c < (n == null ? 1 : n); c++) {
                deletes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(keyOf(k, c)).build()).build());
            }
        }
        writeBatches(deletes, itemKey(keys.iterator().next()), op);
        log.trace("{} deleted {} items", context.logPrefix(), deletes.size());
    }

    @Override
    protected boolean supportsRecords() {
        return true;
    }

    /** {@code PutItem} of item {@code c = 0} on condition {@code attribute_not_exists(k)}. */
    @Override
    protected boolean createRecord(String key, byte[] value, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        Map<String, AttributeValue> item = recordItem(k, value);
        return AwsCalls.call(op, "PutItem", resource(k), t -> {
            try {
                client().putItem(b -> b.tableName(settings.table).item(item)
                        .conditionExpression("attribute_not_exists(#k)")
                        .expressionAttributeNames(Map.of("#k", KEY))
                        .overrideConfiguration(o -> o.apiCallTimeout(t)));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        }, e -> refused(op, "PutItem", k, e));
    }

    @Override
    protected void writeRecord(String key, byte[] value, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        Map<String, AttributeValue> item = recordItem(k, value);
        AwsCalls.call(op, "PutItem", resource(k), t -> client().putItem(b -> b.tableName(settings.table).item(item)
                .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "PutItem", k, e));
    }

    @Override
    protected byte[] readRecord(String key, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        GetItemResponse r = AwsCalls.call(op, "GetItem", resource(k), t -> client().getItem(b -> b.tableName(settings.table)
                .key(keyOf(k, 0)).consistentRead(true).overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "GetItem", k, e));
        AttributeValue d = r.hasItem() ? r.item().get(DATA) : null;
        return d == null ? null : d.b().asByteArrayUnsafe();
    }

    private Map<String, AttributeValue> recordItem(String k, byte[] value) {
        Map<String, AttributeValue> item = keyOf(k, 0);
        item.put(DATA, AttributeValue.fromB(SdkBytes.fromByteArray(value)));
        item.put(TTL, AttributeValue.fromN(Long.toString(expiresAt())));
        return item;
    }

    /** A consistent {@code GetItem} of a key that does not exist: any answer means DynamoDB answers. */
    @Override
    protected void ping(Duration within) {
        OpContext op = new OpContext(Operation.BARRIER, "ping", OpContext.P2P_SEQ, Deadline.after(within), context);
        String k = itemKey(context.scope() + "/ping");
        AwsCalls.call(op, "GetItem", resource(k), t -> client().getItem(b -> b.tableName(settings.table)
                .key(keyOf(k, 0)).consistentRead(true).overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "GetItem", k, e));
    }

    @Override
    protected boolean supportsCounters() {
        return true;
    }

    @Override
    protected long increment(String key, OpContext op) {
        ensureTable(op);
        String k = itemKey(key);
        // One token per call, reused by its retries: adding it again changes nothing.
        String token = context.rank() + ":" + tokens.incrementAndGet();
        String ttl = Long.toString(expiresAt());
        Map<String, AttributeValue> after = AwsCalls.call(op, "UpdateItem", resource(k), t -> client().updateItem(b -> b
                .tableName(settings.table).key(keyOf(k, 0))
                .updateExpression("ADD #m :token SET #t = :ttl")
                .expressionAttributeNames(Map.of("#m", MEMBERS, "#t", TTL))
                .expressionAttributeValues(Map.of(":token", AttributeValue.fromSs(List.of(token)), ":ttl", AttributeValue.fromN(ttl)))
                .returnValues(ReturnValue.UPDATED_NEW)
                .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "UpdateItem", k, e)).attributes();
        return after.get(MEMBERS).ss().size();
    }

    @Override
    protected void closeStore() {
        DynamoDbClient c;
        synchronized (this) {
            c = client;
            client = null;
        }
        if (c != null && given == null) {
            c.close();
            log.debug("{} DynamoDB client closed", context.logPrefix());
        }
    }

    // ---------------------------------------------------------------- table

    /** With {@code "create": true}, makes the table (on-demand capacity, TTL on {@code ttl}) unless it exists. */
    private void ensureTable(OpContext op) {
        if (tableReady || !settings.create) {
            return;
        }
        synchronized (this) {
            if (tableReady) {
                return;
            }
            String res = "dynamodb://" + settings.table;
            TableStatus status;
            try {
                status = AwsCalls.call(op, "DescribeTable", res, t -> client().describeTable(b -> b.tableName(settings.table)
                        .overrideConfiguration(o -> o.apiCallTimeout(t))).table().tableStatus(), e -> refusedTable(op, "DescribeTable", e));
            } catch (ResourceNotFoundException e) {
                status = null;
            }
            if (status == null) {
                try {
                    AwsCalls.call(op, "CreateTable", res, t -> client().createTable(b -> b.tableName(settings.table)
                            .attributeDefinitions(AttributeDefinition.builder().attributeName(KEY).attributeType(ScalarAttributeType.S).build(),
                                    AttributeDefinition.builder().attributeName(CHUNK).attributeType(ScalarAttributeType.N).build())
                            .keySchema(KeySchemaElement.builder().attributeName(KEY).keyType(KeyType.HASH).build(),
                                    KeySchemaElement.builder().attributeName(CHUNK).keyType(KeyType.RANGE).build())
                            .billingMode(BillingMode.PAY_PER_REQUEST)
                            .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refusedTable(op, "CreateTable", e));
                    log.debug("{} created DynamoDB table {}", context.logPrefix(), settings.table);
                } catch (ResourceInUseException e) {
                    log.debug("{} DynamoDB table {} is being created by another peer", context.logPrefix(), settings.table);
                }
                status = TableStatus.CREATING;
            }
            while (status != TableStatus.ACTIVE) {
                if (op.deadline().expired()) {
                    throw op.timeout(-1, "DynamoDB table " + settings.table + " to become ACTIVE (status " + status + ")");
                }
                AwsCalls.sleep(100, op);
                status = AwsCalls.call(op, "DescribeTable", res, t -> client().describeTable(b -> b.tableName(settings.table)
                        .overrideConfiguration(o -> o.apiCallTimeout(t))).table().tableStatus(), e -> refusedTable(op, "DescribeTable", e));
            }
            enableTtl(op);
            tableReady = true;
        }
    }

    private void enableTtl(OpContext op) {
        try {
            client().updateTimeToLive(b -> b.tableName(settings.table)
                    .timeToLiveSpecification(s -> s.attributeName(TTL).enabled(true)));
        } catch (SdkException e) {
            String m = AwsCalls.describe(e);
            if (m.contains("already enabled")) {
                return;
            }
            log.warn("{} could not enable Time To Live on attribute '{}' of DynamoDB table {}; items of crashed jobs will stay: {}",
                    context.logPrefix(), TTL, settings.table, m);
        }
    }

    private RuntimeException refusedTable(OpContext op, String what, SdkException e) {
        if (e instanceof ResourceNotFoundException || e instanceof ResourceInUseException) {
            return e;
        }
        return refused(op, what, "", e);
    }

    private ChannelException refused(OpContext op, String what, String k, SdkException e) {
        String hint = "";
        if (e instanceof ResourceNotFoundException) {
            hint = " (table " + settings.table + " does not exist" + (settings.region == null ? "" : " in " + settings.region)
                    + ": create it, see docs/channels-mediated.md, or set \"create\": true)";
        } else if (AwsCalls.describe(e).contains("AccessDenied")) {
            hint = " (the role needs dynamodb:GetItem, PutItem, UpdateItem, Query, BatchWriteItem on table " + settings.table + ")";
        } else if (AwsCalls.describe(e).contains("size")) {
            hint = " (DynamoDB's item limit is 400 KB; chunk_bytes is " + settings.chunkBytes + ")";
        }
        return new ChannelException(op.label() + ": " + what + " of " + resource(k) + " refused by DynamoDB: "
                + AwsCalls.describe(e) + hint + " " + op.where(), e, false);
    }

    @Override
    public String toString() {
        return "DynamoDbChannel" + context.logPrefix() + "->" + settings.table;
    }
}
