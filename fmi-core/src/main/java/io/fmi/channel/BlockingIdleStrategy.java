package io.fmi.channel;

/** {@link IdleStrategy#block()}: never polls. Stateless, thread-safe. */
final class BlockingIdleStrategy implements IdleStrategy {
    static final BlockingIdleStrategy INSTANCE = new BlockingIdleStrategy();

    private BlockingIdleStrategy() {
    }

    @Override
    public boolean idle(Wait wait) {
        return false;
    }

    @Override
    public String toString() {
        return "block";
    }
}
