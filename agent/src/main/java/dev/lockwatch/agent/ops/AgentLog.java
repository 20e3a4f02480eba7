package dev.lockwatch.agent.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.FileSize;
import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.config.Options;
import dev.lockwatch.agent.report.Field;
import dev.lockwatch.agent.report.SafeText;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The agent's own logging: a private Logback {@link LoggerContext}, built here and never registered with SLF4J's
 * global {@code LoggerFactory}. Together with the relocation of Logback and SLF4J in the agent jar, the
 * application's logging (its {@code logback.xml}, SLF4J provider and levels) and the agent's cannot see each other.
 *
 * <p>Built in, without any XML: {@code format=text} (a pattern layout) or {@code format=json} (Logback's
 * {@link JsonEncoder}, one object per line), to stderr or, with {@code log=<path>}, to a file rolled at
 * {@value #MAX_FILE_MB} MB with {@value #OLD_FILES} old files kept, created owner-only and never through a symbolic
 * link. A {@code logConfig} file replaces all of it; one that sets up no appender for the agent's logger falls
 * back to stderr. Every event carries its key-value pairs; the text layout ignores them, the JSON encoder writes
 * them, and so does any encoder a {@code logConfig} file names.
 *
 * <p>Never lost: when the destination fails while the agent writes (a full disk, an unwritable file), Logback
 * reports the failure to this context's status listener; the event is then written to stderr, with one line saying
 * which destination failed and why, and everything after it goes to stderr too.
 */
public final class AgentLog {
    public static final String LOGGER = "lockwatch";
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} [lockwatch] %-5level %msg%n";
    static final int MAX_FILE_MB = 10;
    static final int OLD_FILES = 5;

    private final LoggerContext context;
    private final boolean json;
    /** Where the log goes, for people: "stderr", a file, or "logConfig <file>"; what is really in use. */
    private volatile String destination;
    private volatile Logger log;
    private volatile String failure;
    private boolean fellBack;

    private AgentLog(LoggerContext context, boolean json, String destination) {
        this.context = context;
        this.json = json;
        this.destination = destination;
        this.log = context.getLogger(LOGGER);
        context.getStatusManager().add(new FailureListener());
    }

    /** Remembers the first error an appender reports (Logback stops an appender after a write fails). */
    private final class FailureListener implements StatusListener {
        @Override
        public void addStatusEvent(Status status) {
            if (status.getLevel() == Status.ERROR && failure == null && status.getOrigin() instanceof Appender) {
                Throwable cause = status.getThrowable();
                failure = status.getMessage() + (cause == null ? "" : ": " + cause);
            }
        }

        @Override
        public boolean isResetResistant() {
            return true;
        }
    }

    /**
     * Logging per {@code options}: the {@code logConfig} file when it is usable, else the built-in setup;
     * {@code problems} receives one line per problem found on the way.
     */
    public static AgentLog create(Options options, Consumer<String> problems) {
        return create(options, problems, FileSize.valueOf(MAX_FILE_MB + "MB"));
    }

    static AgentLog create(Options options, Consumer<String> problems, FileSize maxFileSize) {
        Path logConfig = options.logConfig();
        String fallback = options.log() == null ? "stderr" : "'" + options.log() + "'";
        if (logConfig != null) {
            if (!Files.isRegularFile(logConfig) || !Files.isReadable(logConfig)) {
                problems.accept("cannot read logConfig file '" + logConfig + "'; accepted: "
                        + Options.key("logConfig").accepted() + "; logging to " + fallback + " instead");
            } else {
                AgentLog configured = fromConfigFile(logConfig, problems, fallback);
                if (configured != null) {
                    if (options.given().containsKey("log") || options.given().containsKey("format")) {
                        problems.accept("options log and format are not used: logConfig file '" + logConfig
                                + "' sets up the agent's logging");
                    }
                    return configured;
                }
            }
        }
        return builtIn(options.format() == Options.Format.JSON, options.log(), maxFileSize, problems);
    }

    private static AgentLog fromConfigFile(Path logConfig, Consumer<String> problems, String fallback) {
        LoggerContext ctx = newContext();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(ctx);
            String xml = Files.readString(logConfig);
            joran.doConfigure(new ByteArrayInputStream(relocate(xml).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            // reported below through the status manager
        }
        if (new StatusUtil(ctx).getHighestLevel(0) >= Status.ERROR) {
            String why = firstError(ctx);
            ctx.stop();
            problems.accept("logConfig file '" + logConfig + "' is not a valid Logback configuration" + why
                    + "; logging to " + fallback + " instead");
            return null;
        }
        ch.qos.logback.classic.Logger logger = ctx.getLogger(LOGGER);
        if (!logger.isWarnEnabled() || !hasStartedAppender(logger)) {
            ctx.stop();
            problems.accept("logConfig file '" + logConfig + "' sets up no appender for the logger '" + LOGGER
                    + "' (or turns it off at WARN); logging to " + fallback + " instead");
            return null;
        }
        return new AgentLog(ctx, false, "logConfig " + logConfig);
    }

    /** Whether an event of {@code logger} reaches a started appender (its own, or an ancestor's while additive). */
    private static boolean hasStartedAppender(ch.qos.logback.classic.Logger logger) {
        for (ch.qos.logback.classic.Logger l = logger; l != null; l = parent(l)) {
            for (Iterator<Appender<ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next().isStarted()) {
                    return true;
                }
            }
            if (!l.isAdditive()) {
                return false;
            }
        }
        return false;
    }

    private static ch.qos.logback.classic.Logger parent(ch.qos.logback.classic.Logger l) {
        if (l.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
            return null;
        }
        LoggerContext ctx = l.getLoggerContext();
        String name = l.getName();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) : ctx.getLogger(name.substring(0, dot));
    }

    private static String firstError(LoggerContext ctx) {
        for (Status st : ctx.getStatusManager().getCopyOfStatusList()) {
            if (st.getLevel() == Status.ERROR) {
                Throwable cause = st.getThrowable();
                return ": " + st.getMessage() + (cause == null ? "" : " (" + cause.getMessage() + ")");
            }
        }
        return "";
    }

    /**
     * A Logback file names Logback's classes ({@code ch.qos.logback.core.FileAppender}); inside the agent they
     * live under a relocated package. Users write the names they know; the agent's copy is used.
     */
    static String relocate(String xml) {
        String relocated = LoggerContext.class.getPackageName(); // "<prefix>logback.classic", whatever the prefix
        String prefix = relocated.substring(0, relocated.length() - "classic".length());
        String original = String.join(".", "ch", "qos", "logback", ""); // built at run time: not relocated by shade
        return xml.replace(original, prefix);
    }

    private static LoggerContext newContext() {
        LoggerContext ctx = new LoggerContext();
        ctx.setName(LOGGER);
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // SLF4J's LoggerFactory would set it; this context is private
        ctx.start();
        return ctx;
    }

    private static AgentLog builtIn(boolean json, Path file, FileSize maxFileSize, Consumer<String> problems) {
        LoggerContext ctx = newContext();
        OutputStreamAppender<ILoggingEvent> appender = null;
        if (file != null) {
            appender = rollingFile(ctx, file, json, maxFileSize);
            if (appender == null) {
                String why = firstError(ctx);
                problems.accept("cannot write the log file '" + file + "'" + why + "; accepted: "
                        + Options.key("log").accepted() + "; logging to stderr instead");
            }
        }
        if (appender == null) {
            appender = console(ctx, json);
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return new AgentLog(ctx, json, appender instanceof ConsoleAppender ? "stderr" : file.toString());
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx, boolean json) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder(ctx, json));
        console.start();
        return console;
    }

    /** The file, rolled by size into {@code <file>.1} (newest) to {@code <file>.5}; null when it cannot be opened. */
    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file, boolean json, FileSize maxFileSize) {
        RollingFileAppender<ILoggingEvent> appender = new OwnerOnlyFileAppender();
        appender.setContext(ctx);
        appender.setName("file");
        appender.setFile(file.toAbsolutePath().toString());
        appender.setAppend(true);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file.toAbsolutePath() + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(OLD_FILES);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(maxFileSize);
        // Logback checks the size at most once a minute by default; the agent logs little, so it checks every time.
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder(ctx, json));
        appender.start();
        return appender.isStarted() ? appender : null;
    }

    /**
     * Logback's rolling file appender, but the file is opened here: created owner-only (0600), never through a
     * symbolic link (another user could have planted one where the log goes), and never in a directory that does
     * not exist (none is created).
     */
    static final class OwnerOnlyFileAppender extends RollingFileAppender<ILoggingEvent> {
        @Override
        public void openFile(String fileName) throws IOException {
            streamWriteLock.lock();
            try {
                setOutputStream(openOwnerOnly(Path.of(fileName)));
            } finally {
                streamWriteLock.unlock();
            }
        }
    }

    /** Appends to {@code file}, creating it readable by the owner only; refuses a symbolic link. */
    static OutputStream openOwnerOnly(Path file) throws IOException {
        OpenOption[] options = {StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS};
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created meanwhile: opened below without following a link
            }
        }
        return new java.io.BufferedOutputStream(Files.newOutputStream(file, options), 8192);
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, boolean json) {
        if (json) {
            JsonEncoder encoder = new LineSafeJsonEncoder();
            encoder.setContext(ctx);
            // Per line: timestamp, level, loggerName, kvpList (events only), formattedMessage, throwable.
            encoder.setWithContext(false);
            encoder.setWithSequenceNumber(false);
            encoder.setWithNanoseconds(false);
            encoder.setWithThreadName(false);
            encoder.setWithMarkers(false);
            encoder.setWithMDC(false);
            encoder.setWithArguments(false);
            encoder.setWithMessage(false); // the message pattern with its {} placeholders ...
            encoder.setWithFormattedMessage(true); // ... rather the message as written
            encoder.start();
            return encoder;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    /**
     * Logback's JsonEncoder, with U+2028 and U+2029 written as escapes: they are valid raw inside a JSON string,
     * but tools that split text into lines (JavaScript, Python's {@code splitlines}) break a line at them. They
     * can only occur inside strings, where the escape decodes to the same character.
     */
    static final class LineSafeJsonEncoder extends JsonEncoder {
        @Override
        public byte[] encode(ILoggingEvent event) {
            return escapeLineSeparators(super.encode(event));
        }
    }

    /** In UTF-8, U+2028 is E2 80 A8 and U+2029 is E2 80 A9. */
    static byte[] escapeLineSeparators(byte[] utf8) {
        int found = 0;
        for (int i = 0; i + 2 < utf8.length; i++) {
            if (utf8[i] == (byte) 0xE2 && utf8[i + 1] == (byte) 0x80 && (utf8[i + 2] == (byte) 0xA8 || utf8[i + 2] == (byte) 0xA9)) {
                found++;
            }
        }
        if (found == 0) {
            return utf8;
        }
        byte[] out = new byte[utf8.length + found * 3];
        int o = 0;
        for (int i = 0; i < utf8.length; i++) {
            if (i + 2 < utf8.length && utf8[i] == (byte) 0xE2 && utf8[i + 1] == (byte) 0x80
                    && (utf8[i + 2] == (byte) 0xA8 || utf8[i + 2] == (byte) 0xA9)) {
                byte last = utf8[i + 2] == (byte) 0xA8 ? (byte) '8' : (byte) '9';
                for (byte b : new byte[] {'\\', 'u', '2', '0', '2', last}) {
                    out[o++] = b;
                }
                i += 2;
            } else {
                out[o++] = utf8[i];
            }
        }
        return out;
    }

    /** "stderr", the log file, or "logConfig <file>": where the log really goes now. */
    public String destination() {
        return destination;
    }

    public boolean json() {
        return json;
    }

    /**
     * Option problems found at start-up, one line each, for a log that is not stderr (a file, a logConfig) or that is
     * JSON on stderr: they were printed to stderr as plain lines at start already, unless stderr is JSON.
     */
    public void reportProblems(List<String> problems) {
        for (String problem : problems) {
            log.warn("lockwatch: " + problem);
        }
    }

    /** An event: ERROR when threads are stuck for good, WARN for a hazard. */
    public void event(Event event) {
        write(event.kind().stuck() ? Level.ERROR : Level.WARN, json ? event.headline() : event.text(), event.fields());
    }

    public void info(String message) {
        write(Level.INFO, message, List.of());
    }

    public void warn(String message) {
        write(Level.WARN, message, List.of());
    }

    /** A problem of the agent itself: never an event, so never an event kind in capitals. */
    public void problem(String message, Throwable cause) {
        warn(SafeText.plain(message + ": " + cause));
    }

    private void write(Level level, String message, List<Field> fields) {
        LoggingEventBuilder line = level == Level.ERROR ? log.atError() : level == Level.WARN ? log.atWarn() : log.atInfo();
        for (Field f : fields) {
            line = line.addKeyValue(f.key(), f.value());
        }
        line.log(message);
        if (failure != null && !fellBack) {
            fallBack(level, message, fields);
        }
    }

    /** The destination failed: this line and every later one go to stderr, in the same format. */
    private synchronized void fallBack(Level level, String message, List<Field> fields) {
        if (fellBack) {
            return;
        }
        fellBack = true;
        String failed = destination;
        System.err.println("lockwatch: the log destination " + SafeText.plain(failed) + " failed ("
                + SafeText.plain(failure) + "); agent lines go to stderr from now on");
        LoggerContext ctx = newContext();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(ctx, json));
        log = ctx.getLogger(LOGGER);
        destination = "stderr (" + failed + " failed)";
        LoggingEventBuilder line = level == Level.ERROR ? log.atError() : level == Level.WARN ? log.atWarn() : log.atInfo();
        for (Field f : fields) {
            line = line.addKeyValue(f.key(), f.value());
        }
        line.log(message);
    }

    /** Flushes and stops the log: the JVM is about to halt or exit. */
    public void close() {
        context.stop();
    }
}
