package dev.lockwatch.agent.ops;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The start line's timestamp, worked out without java.time (EarlyLine), reads as DateTimeFormatter writes it. */
class EarlyLineTest {
    private static final DateTimeFormatter PATTERN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private static String expected(long localMillis) {
        return PATTERN.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(localMillis), ZoneOffset.UTC));
    }

    @Test
    void theStampMatchesDateTimeFormatterAcrossLeapYearsCenturiesAndMidnights() {
        long[] edges = {
            0L, -1L, 951_782_400_000L /* 2000-02-29 */, 951_868_799_999L, 4_107_542_400_000L /* 2100-03-01 */,
            4_107_455_999_999L, 946_684_799_999L /* 1999-12-31 23:59:59.999 */, 1_796_083_200_000L,
            253_402_300_799_999L /* 9999-12-31 23:59:59.999 */, -2_208_988_800_000L /* 1900-01-01 */,
        };
        for (long t : edges) {
            assertEquals(expected(t), EarlyLine.stamp(t), "at " + t);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            long t = random.nextLong(-2_208_988_800_000L, 253_402_300_799_999L);
            assertEquals(expected(t), EarlyLine.stamp(t), "at " + t);
        }
    }

    @Test
    void theLineIsInTheGivenZoneOnBothSidesOfADaylightSavingChange() {
        TimeZone zone = TimeZone.getTimeZone("Europe/Berlin");
        DateTimeFormatter inZone = PATTERN.withZone(zone.toZoneId());
        long[] instants = {1_774_746_000_000L - 1, 1_774_746_000_000L /* 2026-03-29 01:00 UTC */, 1_792_890_000_000L,
                1_792_890_000_000L - 1 /* 2026-10-25 01:00 UTC */, 1_796_083_200_123L};
        for (long t : instants) {
            assertEquals(inZone.format(Instant.ofEpochMilli(t)) + " [lockwatch] INFO  started",
                    EarlyLine.format(t, zone, "started"), "at " + t);
        }
    }
}
