package io.fmi.channel;

/**
 * The codes that name a collective on the wire, so that a peer receiving a message (or reading a
 * stored object) of another collective, or of the same collective with another root, says so
 * instead of taking its bytes as data. Every collective message carries
 * {@code (code, root)} next to its source, communicator and sequence number; the receiving side
 * compares them with its own call ({@link OpContext#code()}, {@link OpContext#root()}).
 *
 * <p>A code is one unsigned byte, so it fits the {@code op} field of the Direct frame header; the
 * values below are part of the wire formats and never change meaning (new collectives take new
 * values). Code {@link #UNKNOWN} means "not stated" and is never checked: point-to-point
 * messages carry it, and so does every message of a channel whose wire has no room for the code.
 *
 * <table>
 *   <caption>codes</caption>
 *   <tr><th>code</th><th>call</th><th>code</th><th>call</th><th>code</th><th>call</th></tr>
 *   <tr><td>1</td><td>bcast</td><td>9</td><td>alltoall</td><td>17</td><td>gatherBytes</td></tr>
 *   <tr><td>2</td><td>barrier</td><td>10</td><td>exscan</td><td>18</td><td>gatherObjects</td></tr>
 *   <tr><td>3</td><td>gather</td><td>11</td><td>gatherv</td><td>19</td><td>allgatherBytes</td></tr>
 *   <tr><td>4</td><td>scatter</td><td>12</td><td>scatterv</td><td>20</td><td>alltoallBytes</td></tr>
 *   <tr><td>5</td><td>reduce</td><td>13</td><td>allgatherv</td><td>21</td><td>split</td></tr>
 *   <tr><td>6</td><td>allreduce</td><td>14</td><td>alltoallv</td><td>22</td><td>dup</td></tr>
 *   <tr><td>7</td><td>scan</td><td>15</td><td>reduceScatter</td><td>23</td><td>close (closing barrier)</td></tr>
 *   <tr><td>8</td><td>allgather</td><td>16</td><td>bcastObject</td><td>255</td><td>{@link #NOTICE}</td></tr>
 * </table>
 *
 * <p>{@link #NOTICE} is not a collective: a peer whose collective failed because of what it
 * received (another collective, another root, another size) sends it, with the reason in UTF-8
 * as payload, to every other peer with the collective's sequence number, so that peers waiting
 * for it fail at once, naming the cause, rather than at their deadline. A channel whose wire does
 * not carry codes never sends one (it would be taken for data). The root of a collective without
 * one is {@link #NO_ROOT}. Stateless and thread-safe.
 */
public final class OpCodes {
    /** Not stated: the message is not checked. */
    public static final int UNKNOWN = 0;
    /** The sender gave up the collective; the payload is the reason (UTF-8). */
    public static final int NOTICE = 255;
    /** The root of a collective that has none, and of a point-to-point message. */
    public static final int NO_ROOT = -1;
    /** Longest reason a notice carries, in bytes. */
    public static final int MAX_NOTICE_BYTES = 2048;

    /** Index = code. */
    private static final String[] VERBS = {
        null, "bcast", "barrier", "gather", "scatter", "reduce", "allreduce", "scan", "allgather", "alltoall",
        "exscan", "gatherv", "scatterv", "allgatherv", "alltoallv", "reduceScatter", "bcastObject", "gatherBytes",
        "gatherObjects", "allgatherBytes", "alltoallBytes", "split", "dup", "close",
    };

    private OpCodes() {
    }

    /**
     * The code of the collective called {@code verb}, or {@link #UNKNOWN} for any other verb.
     *
     * @param verb the API name of the call, as in {@link OpContext#verb()}
     * @return its code, 1..254, or 0
     */
    public static int of(String verb) {
        for (int i = 1; i < VERBS.length; i++) {
            if (VERBS[i].equals(verb)) {
                return i;
            }
        }
        return UNKNOWN;
    }

    /**
     * The call a code names.
     *
     * @param code a code from the wire
     * @return e.g. {@code "bcast"}; {@code "notice"}, {@code "unknown"}, or {@code "code 99"} for one this version does not know
     */
    public static String verb(int code) {
        if (code == NOTICE) {
            return "notice";
        }
        if (code == UNKNOWN) {
            return "unknown";
        }
        return code > 0 && code < VERBS.length ? VERBS[code] : "code " + code;
    }

    /**
     * How errors name a collective: {@code "bcast #7 (root 0)"}, {@code "allreduce #7"}.
     *
     * @param code the collective's code
     * @param seq  its sequence number
     * @param root its root, or {@link #NO_ROOT}
     * @return the description
     */
    public static String describe(int code, long seq, int root) {
        String s = verb(code) + (seq == Long.MAX_VALUE ? "" : " #" + seq);
        return root == NO_ROOT ? s : s + " (root " + root + ")";
    }
}
