package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.netlab.NatLab;
import io.fmi.tcpunch.netlab.NatLab.LabProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Collectives over Direct through real NAT (fmi-tcpunch's lab), a 1 MiB bcast (the rendezvous
 * protocol of large messages) among them, on each of the three paths a
 * connection can take: two hosts with the same private address, each behind its own MASQUERADE
 * router that drops unsolicited inbound packets (punched, public path); the same behind routers that
 * pick a random port per connection, as symmetric NAT does (relay); two hosts on one LAN behind one
 * router (private path). The rendezvous server sits between them. Needs root, iproute2 and
 * iptables: skipped without them, failed when {@code CI=true}.
 */
@Timeout(120)
class DirectNatLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void requireLab() {
        NatLab.assumeAvailable();
    }

    @AfterAll
    static void cleanUp() {
        NatLab.cleanLeftovers();
    }

    /** Runs two peers' collectives in {@code lab}; returns the path rank 0 logged for its connection. */
    private static String collectives(NatLab lab, String name) throws Exception {
        String secretFile = NatLab.tempFile("fmi-secret", NatLabPeer.SECRET.getBytes(StandardCharsets.UTF_8)).toString();
        LabProcess server = lab.startJava(lab.serverNs(), "io.fmi.tcpunch.internal.cli.Main", "server", "--port", "10000",
                "--no-legacy", "--secret-file", secretFile);
        assertTrue(server.awaitOutput("ready", WAIT), "rendezvous server did not start: " + server);
        String[] common = {NatLab.SERVER_IP, "10000", null, "2", name, "run1"};
        LabProcess[] peers = new LabProcess[2];
        String[] ns = {lab.hostA(), lab.hostB()};
        for (int r = 0; r < 2; r++) {
            String[] a = common.clone();
            a[2] = Integer.toString(r);
            peers[r] = lab.startJava(ns[r], NatLabPeer.class.getName(), a);
        }
        for (int r = 0; r < 2; r++) {
            assertTrue(peers[r].awaitOutput("result 3 10 14 bcast 42 large " + 3 * (1 << 20), WAIT),
                    "rank " + r + " did not finish the collectives: " + peers[r] + "\nstdout: " + peers[r].stdout()
                            + "\nstderr: " + peers[r].stderr());
        }
        Matcher m = VIA.matcher(peers[0].stderr());
        assertTrue(m.find(), "rank 0 logged no connection: " + peers[0].stderr());
        return m.group(1);
    }

    private static final Pattern VIA = Pattern.compile("connected to rank 1 via (\\S+)");

    @Test
    void shouldRunCollectivesBetweenPeersBehindTwoNats() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving())) {
            assertEquals("direct-public", collectives(lab, "natlab"));
        }
    }

    @Test
    void shouldRunCollectivesThroughTheRelayBehindSymmetricNats() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving().randomFully())) {
            assertEquals("relay", collectives(lab, "natlab-symmetric"));
        }
    }

    @Test
    void shouldRunCollectivesOverThePrivatePathBehindOneNat() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving().sameLan())) {
            assertEquals("direct-private", collectives(lab, "natlab-same-lan"));
        }
    }
}
