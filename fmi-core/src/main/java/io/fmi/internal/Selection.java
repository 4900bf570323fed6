package io.fmi.internal;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Picks the channel of an operation among the usable backends by a fixed preference: in-memory,
 * then direct, then the stores (Redis before DynamoDB before S3 for {@link Hint#FAST}; Redis
 * before S3 before DynamoDB for {@link Hint#CHEAP}), then channels from outside in file order. A
 * pure function of its inputs, so every rank picks the same channel without talking.
 */
final class Selection {
    private static final List<String> FAST = List.of("local", "direct", "localstore", "redis", "dynamodb", "s3");
    private static final List<String> CHEAP = List.of("local", "direct", "localstore", "redis", "s3", "dynamodb");

    private final List<String> preference;

    Selection(List<BackendConfig> usable, FmiConfig config, Hint hint, int size, int functionMemoryMiB) {
        List<String> order = hint == Hint.CHEAP ? CHEAP : FAST;
        List<String> sorted = new ArrayList<>();
        usable.forEach(b -> sorted.add(b.name()));
        sorted.sort((a, b) -> Integer.compare(rankOf(order, a), rankOf(order, b)));
        this.preference = List.copyOf(sorted);
    }

    private static int rankOf(List<String> order, String backend) {
        int i = order.indexOf(backend.toLowerCase(Locale.ROOT));
        return i < 0 ? order.size() : i;
    }

    /** Backends in order of preference. */
    List<String> preference() {
        return preference;
    }

    /** The backend for {@code op} moving {@code bytes} bytes per peer among {@code size} peers. */
    String select(Operation op, long bytes, int size) {
        return preference.get(0);
    }
}
