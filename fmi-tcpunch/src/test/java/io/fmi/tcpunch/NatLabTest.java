package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.internal.cli.Main;
import io.fmi.tcpunch.netlab.NatLab;
import io.fmi.tcpunch.netlab.NatLab.LabProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hole punching through real Linux NAT ({@link NatLab}): the rendezvous server on the lab's
 * internet, one {@code probe} CLI process on each host. Skipped without root/iproute2/iptables,
 * except under {@code CI=true}, where that fails.
 */
@Timeout(90)
class NatLabTest {
    private static final String SERVER = NatLab.SERVER_IP + ":10000";
    private static final Duration WAIT = Duration.ofSeconds(40);

    @BeforeAll
    static void requireLab() {
        NatLab.assumeAvailable();
    }

    @AfterAll
    static void cleanUp() {
        NatLab.cleanLeftovers();
    }

    private static LabProcess server(NatLab lab, String... extra) throws Exception {
        String[] args = new String[4 + extra.length];
        args[0] = "server";
        args[1] = "--port";
        args[2] = "10000";
        args[3] = "--no-legacy";
        System.arraycopy(extra, 0, args, 4, extra.length);
        LabProcess server = lab.startJava(lab.serverNs(), Main.class.getName(), args);
        assertTrue(server.awaitOutput("ready", WAIT), "server did not start: " + server);
        return server;
    }

    private static LabProcess probe(NatLab lab, String ns, String name, String... extra) throws Exception {
        String[] args = new String[5 + extra.length];
        args[0] = "probe";
        args[1] = "--server";
        args[2] = SERVER;
        args[3] = "--name";
        args[4] = name;
        System.arraycopy(extra, 0, args, 5, extra.length);
        return lab.startJava(ns, Main.class.getName(), args);
    }

    private static String pairPath(NatLab lab, String name) throws Exception {
        LabProcess a = probe(lab, lab.hostA(), name);
        LabProcess b = probe(lab, lab.hostB(), name);
        assertEquals(0, a.waitFor(WAIT), "probe A: " + a);
        assertEquals(0, b.waitFor(WAIT), "probe B: " + b);
        String pathA = a.stdout().trim().split(" ")[0];
        assertEquals(pathA, b.stdout().trim().split(" ")[0], "A: " + a + " / B: " + b);
        return pathA;
    }

    @Test
    void shouldPunchDirectlyThroughPortPreservingNats() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving())) {
            server(lab, "--insecure");
            assertEquals("direct-public", pairPath(lab, "lab-direct"));
        }
    }

    @Test
    void shouldDetectSymmetricNatAndRelay() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving().randomFully())) {
            server(lab, "--insecure");
            assertEquals("relay", pairPath(lab, "lab-symmetric"));
        }
    }

    @Test
    void shouldTakeThePrivatePathBehindOneNat() throws Exception {
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving().sameLan())) {
            server(lab, "--insecure");
            assertEquals("direct-private", pairPath(lab, "lab-same-lan"));
        }
    }

    @Test
    void shouldRefuseAPeerWithAWrongSecret() throws Exception {
        Path good = NatLab.tempFile("fmi-secret", "right secret".getBytes(StandardCharsets.UTF_8));
        Path bad = NatLab.tempFile("fmi-secret", "wrong secret".getBytes(StandardCharsets.UTF_8));
        try (NatLab lab = NatLab.up(NatLab.Options.portPreserving())) {
            server(lab, "--secret-file", good.toString());
            LabProcess a = probe(lab, lab.hostA(), "lab-secret", "--secret-file", good.toString(), "--timeout", "4");
            LabProcess b = probe(lab, lab.hostB(), "lab-secret", "--secret-file", bad.toString(), "--timeout", "4");
            int codeB = b.waitFor(WAIT);
            int codeA = a.waitFor(WAIT);
            assertNotEquals(0, codeB, "probe with the wrong secret: " + b);
            assertTrue(b.stderr().contains("AUTH_FAILED"), "probe with the wrong secret: " + b);
            assertNotEquals(0, codeA, "probe with the right secret has no peer: " + a);
            assertTrue(a.stderr().contains("did not register"), "probe with the right secret: " + a);
        }
    }

    @Test
    void shouldReachThisProcessThroughEachHostsOwnNat() throws Exception {
        try (NatLab lab = NatLab.upWithUplink(3, NatLab.Options.portPreserving());
             java.net.ServerSocket server = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName(lab.uplinkIp()))) {
            server.setSoTimeout(20_000);
            for (int i = 0; i < lab.hosts(); i++) {
                // every host has the same private address; this process sees each one as its own NAT
                assertTrue(lab.exec(lab.host(i), "ip", "-4", "-o", "addr", "show").stdout.contains(NatLab.HOST_A_IP + "/24"), "host " + i);
                NatLab.ExecResult connect = lab.exec(lab.host(i), "bash", "-c",
                        "exec 3<>/dev/tcp/" + lab.uplinkIp() + "/" + server.getLocalPort() + " && sleep 0.2");
                try (java.net.Socket s = server.accept()) {
                    assertEquals(lab.natWanIp(i), s.getInetAddress().getHostAddress(), "host " + i);
                }
                assertEquals(0, connect.exitCode, "host " + i + ": " + connect.stderr);
            }
        }
    }
}
