package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.FmiException;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Direct channel needs the rendezvous server's secret unless told {@code "insecure": true}. */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectSecureByDefaultTest {
    private static BackendConfig entry(ObjectNode d) {
        return FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d).backend("Direct").orElseThrow();
    }

    private static ObjectNode server() {
        return FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", 10000);
    }

    @Test
    void shouldRefuseAnEntryWithoutASecretNamingEveryWayToGiveOne() {
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> DirectOptions.from(entry(server()), Map.of()));
        for (String key : List.of("backends.Direct", "\"secret\"", "\"secret_file\"", "FMI_SECRET", "\"insecure\": true",
                "127.0.0.1:10000")) {
            assertTrue(e.getMessage().contains(key), key + " in: " + e.getMessage());
        }
    }

    @Test
    void shouldTakeTheSecretFromTheEntryItsFileOrTheEnvironmentInThatOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "from-file\nignored\n");
        Map<String, String> env = Map.of("FMI_SECRET", "from-env");
        assertArrayEquals(bytes("from-entry"), DirectOptions.from(entry(server().put("secret", "from-entry")
                .put("secret_file", file.toString())), env).secret());
        assertArrayEquals(bytes("from-file"), DirectOptions.from(entry(server().put("secret_file", file.toString())), env).secret());
        DirectOptions fromEnv = DirectOptions.from(entry(server()), env);
        assertArrayEquals(bytes("from-env"), fromEnv.secret());
        assertFalse(fromEnv.insecure());
        FmiConfigException empty = assertThrows(FmiConfigException.class,
                () -> DirectOptions.from(entry(server()), Map.of("FMI_SECRET", "")));
        assertTrue(empty.getMessage().contains("FMI_SECRET"), empty.getMessage());
        assertFalse(fromEnv.toString().contains("from-env"), "the secret is never printed: " + fromEnv);
    }

    @Test
    void shouldRunWithoutASecretOnlyWhenToldInsecure() {
        DirectOptions o = DirectOptions.from(entry(server().put("insecure", true)), Map.of());
        assertTrue(o.insecure());
        assertNull(o.secret());
        DirectOptions withSecret = DirectOptions.from(entry(server().put("insecure", true).put("secret", "s")), Map.of());
        assertFalse(withSecret.insecure(), "a secret given is used even where insecure is allowed");
    }

    @Test
    void shouldBuildWithoutIoAndFailTheFirstOperationNamingTheKeys() {
        FmiConfig noSecret = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", server());
        try (Communicator c = Communicator.builder().config(noSecret).name("nosecret").rank(0).size(2)
                .timeout(Duration.ofSeconds(5)).build()) {
            if (System.getenv(DirectOptions.SECRET_ENV) != null) {
                return; // this environment gives every Direct channel a secret
            }
            long t0 = System.nanoTime();
            FmiException e = assertThrows(FmiException.class, () -> c.send(new int[1], 1));
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "failed at once, without I/O");
            Throwable t = e;
            while (!(t instanceof FmiConfigException) && t.getCause() != null) {
                t = t.getCause();
            }
            assertInstanceOf(FmiConfigException.class, t, e.toString());
            assertTrue(t.getMessage().contains("secret_file") && t.getMessage().contains("insecure"), t.getMessage());
        }
    }

    @Test
    void shouldRunAJobInsecureOnPurposeAgainstAnInsecureServer() {
        try (RendezvousServer s = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .insecure(true).build().start()) {
            FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", FmiConfig.newObject()
                    .put("enabled", true).put("host", "127.0.0.1").put("port", s.port()).put("nat_probe", false)
                    .put("insecure", true));
            List<Integer> sums = LocalCluster.run(cfg, 2, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
                int[] out = new int[1];
                comm.allreduce(new int[] {comm.rank() + 1}, out, ReduceOp.SUM);
                return out[0];
            });
            assertEquals(List.of(3, 3), sums);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
