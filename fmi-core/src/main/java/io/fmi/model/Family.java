package io.fmi.model;

/**
 * The two channel families of FMI, which run different collective algorithms and therefore map
 * an operation to different transfer patterns (see {@link OperationModel}).
 */
public enum Family {
    /** Peers send to each other (Direct, in-memory {@code Local}): binomial trees, recursive doubling, rings. */
    PEER_TO_PEER,
    /** Peers put and get keyed objects in a store (Redis, S3, DynamoDB, in-memory {@code LocalStore}): fan-in and fan-out. */
    MEDIATED
}
