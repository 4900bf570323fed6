package io.fmi.tcpunch.netlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the NAT lab says when its set-up script fails or overruns: the step, the limit, the stderr. Real bash processes; no root needed. */
@Timeout(30)
class NatLabSetupFailureTest {
    @Test
    void shouldNameTheStepTheLimitAndTheStderrOfASetUpThatTimesOut() throws Exception {
        NatLab.ExecResult r = NatLab.run(List.of("bash", "-x", "-c", "set -eu\ntrue\necho 'RTNETLINK answers: busy' >&2\nsleep 20\ntrue"),
                Duration.ofMillis(500));
        assertTrue(r.timedOut);
        assertEquals(-1, r.exitCode);
        assertEquals("NAT lab setup timed out after 54 s (the limit for 8 hosts: 30 s + 3 s per host; the machine may be overloaded)"
                + " in step: sleep 20; stderr: RTNETLINK answers: busy", NatLab.setupFailure(r, Duration.ofSeconds(54), 8));
    }

    @Test
    void shouldLeaveOutBashsReportOfTheStepTheTimeLimitKilled() {
        // What bash printed in one CI run when the kill reached `sleep` before bash itself.
        NatLab.ExecResult r = new NatLab.ExecResult(-1, true, "",
                "+ true\nRTNETLINK answers: busy\n+ sleep 20\nbash: line 4:  2685 Killed                  sleep 20\n");
        assertEquals("NAT lab setup timed out after 54 s (the limit for 8 hosts: 30 s + 3 s per host; the machine may be overloaded)"
                + " in step: sleep 20; stderr: RTNETLINK answers: busy", NatLab.setupFailure(r, Duration.ofSeconds(54), 8));
        NatLab.ExecResult failed = new NatLab.ExecResult(137, false, "", "+ sleep 20\nbash: line 4:  2685 Killed  sleep 20\n");
        String msg = NatLab.setupFailure(failed, Duration.ofSeconds(54), 8);
        assertTrue(msg.endsWith("; stderr: bash: line 4:  2685 Killed  sleep 20"), "a kill the lab did not make is reported: " + msg);
    }

    @Test
    void shouldNameTheStepAndTheStderrOfAFailedSetUp() throws Exception {
        NatLab.ExecResult r = NatLab.run(List.of("bash", "-x", "-c", "set -eu\ntrue\nip netns add 'bad/name'\ntrue"), Duration.ofSeconds(10));
        assertFalse(r.timedOut);
        String msg = NatLab.setupFailure(r, Duration.ofSeconds(36), 2);
        assertTrue(msg.startsWith("NAT lab setup failed (exit " + r.exitCode + ") in step: ip netns add bad/name; stderr: "), msg);
        assertTrue(r.exitCode > 0, msg);
        assertFalse(msg.endsWith("stderr: nothing"), msg);
    }
}
