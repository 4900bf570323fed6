package io.fmi.model;

/**
 * The two channel families of FMI, which run different collective algorithms and therefore map
 * an operation to different transfer patterns (see {@link OperationModel}).
 */
public enum Family {
    /** Peers send to each other (a {@link io.fmi.channel.PeerToPeerChannel}, e.g. the in-memory {@code Local}): binomial trees, recursive doubling, rings. */
    PEER_TO_PEER,
    /** Peers put and get keyed objects in a store (a {@link io.fmi.channel.MediatedChannel}, e.g. the in-memory {@code LocalStore}): fan-in and fan-out. */
    MEDIATED
}
