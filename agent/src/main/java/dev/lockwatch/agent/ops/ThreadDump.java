package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Actions;
import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.report.SafeText;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The actions: {@code dump} writes the report, the wait-for graph and a full dump of every platform thread (every
 * frame, every monitor and synchronizer held) into one file, created owner-only and never through a symbolic link;
 * {@code exit} flushes the log and halts. The JDK's {@code ThreadInfo.toString} cuts stacks at eight frames, so the
 * dump is written here. Virtual threads are not in it ({@code ThreadMXBean} does not list them); those in the
 * report are described by the report.
 */
public final class ThreadDump implements Actions {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneId.systemDefault());

    private final ThreadMXBean mx;
    private final CurrentWaits waits;
    private final String heading;
    private final long pid;
    private final LogOutput log;

    public ThreadDump(ThreadMXBean mx, CurrentWaits waits, String version, long pid, String host, LogOutput log) {
        this.mx = mx;
        this.waits = waits;
        this.pid = pid;
        this.log = log;
        this.heading = "Lockwatch " + version + " thread dump, pid " + pid + ", host " + SafeText.escape(host);
    }

    @Override
    public void halt(int code) {
        log.close();
        Runtime.getRuntime().halt(code);
    }

    /**
     * The directory of {@code dumpDir=}, else the working directory (where the JVM writes its own crash and heap
     * dumps). Never {@code java.io.tmpdir} as a fallback: a dump names threads, locks and stacks, and a shared
     * {@code /tmp} is where another user can watch for it or take its name first; the log says why none was written.
     */
    static Path directory(Path configured) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (!Files.isDirectory(cwd) || !Files.isWritable(cwd)) {
            throw new IOException("the working directory " + cwd + " is not writable and no dumpDir is set (dumps are"
                    + " never written to java.io.tmpdir instead)");
        }
        return cwd;
    }

    @Override
    public Path dump(Event event, Path configuredDir) throws IOException {
        Instant now = Instant.now();
        Path file = directory(configuredDir).resolve("lockwatch-" + pid + "-" + event.kind().words().replace(' ', '-')
                + "-" + event.fingerprint() + "-" + STAMP.format(now) + ".txt");
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append(heading).append(", ").append(now).append('\n');
        sb.append("\n== report ==\n").append(event.text()).append('\n');
        sb.append("\n== ").append(waits.render());
        ThreadInfo[] all = mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported());
        sb.append("\n== all threads: ").append(all.length).append(" ==\n");
        for (ThreadInfo t : all) {
            if (t != null) {
                append(sb, t);
            }
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS);
        return file;
    }

    private static void append(StringBuilder sb, ThreadInfo t) {
        sb.append('\n').append(SafeText.quote(t.getThreadName())).append(" #").append(t.getThreadId())
                .append(t.isDaemon() ? " daemon" : "").append(" prio=").append(t.getPriority())
                .append(' ').append(t.getThreadState());
        LockInfo lock = t.getLockInfo();
        if (lock != null) {
            sb.append(" on ").append(SafeText.escape(lock.toString()));
            if (t.getLockOwnerId() >= 0) {
                sb.append(" owned by ").append(SafeText.quote(t.getLockOwnerName())).append(" #").append(t.getLockOwnerId());
            }
        }
        sb.append('\n');
        StackTraceElement[] stack = t.getStackTrace();
        MonitorInfo[] monitors = t.getLockedMonitors();
        for (int depth = 0; depth < stack.length; depth++) {
            sb.append("\tat ").append(SafeText.escape(stack[depth].toString())).append('\n');
            if (depth == 0 && lock != null) {
                String verb = t.getThreadState() == Thread.State.BLOCKED ? "blocked on " : "waiting on ";
                sb.append("\t- ").append(verb).append(SafeText.escape(lock.toString())).append('\n');
            }
            for (MonitorInfo m : monitors) {
                if (m.getLockedStackDepth() == depth) {
                    sb.append("\t- locked ").append(SafeText.escape(m.toString())).append('\n');
                }
            }
        }
        LockInfo[] synchronizers = t.getLockedSynchronizers();
        if (synchronizers.length > 0) {
            sb.append("\tlocked synchronizers:\n");
            for (LockInfo s : synchronizers) {
                sb.append("\t- ").append(SafeText.escape(s.toString())).append('\n');
            }
        }
    }
}
