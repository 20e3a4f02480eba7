package dev.lockwatch.agent.report;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FingerprintTest {
    @Test
    void isSixteenLowercaseHexCharsLeadingZerosIncluded() {
        Set<String> seen = new HashSet<>();
        boolean leadingZeroSeen = false;
        for (int i = 0; i < 2000; i++) {
            String fp = Fingerprint.of(List.of("wait at com.example.A.m" + i, "lock taken at B.n"));
            assertTrue(fp.matches("[0-9a-f]{16}"), "fingerprint '" + fp + "'");
            leadingZeroSeen |= fp.charAt(0) == '0';
            seen.add(fp);
        }
        assertTrue(leadingZeroSeen, "the inputs should include a hash with a leading zero nibble");
        assertEquals(2000, seen.size(), "2000 different inputs, 2000 different fingerprints");
    }

    @Test
    void theOrderOfThePartsDoesNotMatter() {
        assertEquals(Fingerprint.of(List.of("a", "b", "c")), Fingerprint.of(List.of("c", "a", "b")));
    }

    /** Lambdas and proxies are numbered per run: a fingerprint built from their names would change at every start. */
    @Test
    void stableClassNamesDropWhatTheJvmNumbersPerRun() {
        assertEquals("com.example.App$$Lambda", Fingerprint.stableClassName("com.example.App$$Lambda$123/0x0000000800c0b048"));
        assertEquals("com.example.App$$Lambda", Fingerprint.stableClassName("com.example.App$$Lambda/0x0000000800c0b048"));
        assertEquals("jdk.proxy2.$Proxy", Fingerprint.stableClassName("jdk.proxy2.$Proxy12"));
        assertEquals("com.example.Svc$$SpringCGLIB", Fingerprint.stableClassName("com.example.Svc$$SpringCGLIB$$0"));
        assertEquals("com.example.Plain", Fingerprint.stableClassName("com.example.Plain"));
    }
}
