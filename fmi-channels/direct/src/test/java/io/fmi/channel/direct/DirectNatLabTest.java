package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.netlab.NatLab;
import io.fmi.tcpunch.netlab.NatLab.LabProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A collective over Direct through real NAT: two hosts with the same private address, each behind
 * its own MASQUERADE router that drops unsolicited inbound packets, the rendezvous server between
 * them (fmi-tcpunch's lab). Needs root, iproute2 and iptables: skipped without them, failed when
 * {@code CI=true}.
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

    @Test
    void shouldRunCollectivesBetweenPeersBehindTwoNats() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving())) {
            String secretFile = NatLab.tempFile("fmi-secret", NatLabPeer.SECRET.getBytes(StandardCharsets.UTF_8)).toString();
            LabProcess server = lab.startJava(lab.serverNs(), "io.fmi.tcpunch.internal.cli.Main", "server", "--port", "10000",
                    "--no-legacy", "--secret-file", secretFile);
            assertTrue(server.awaitOutput("ready", WAIT), "rendezvous server did not start: " + server);
            String[] common = {NatLab.SERVER_IP, "10000", null, "2", "natlab", "run1"};
            LabProcess[] peers = new LabProcess[2];
            String[] ns = {lab.hostA(), lab.hostB()};
            for (int r = 0; r < 2; r++) {
                String[] a = common.clone();
                a[2] = Integer.toString(r);
                peers[r] = lab.startJava(ns[r], NatLabPeer.class.getName(), a);
            }
            for (int r = 0; r < 2; r++) {
                assertTrue(peers[r].awaitOutput("result 3 10 14 bcast 42", WAIT),
                        "rank " + r + " did not finish the collectives: " + peers[r] + "\nstdout: " + peers[r].stdout()
                                + "\nstderr: " + peers[r].stderr());
            }
        }
    }
}
