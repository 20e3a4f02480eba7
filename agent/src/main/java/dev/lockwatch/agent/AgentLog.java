package dev.lockwatch.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.FileSize;
import dev.lockwatch.agent.ops.Event;
import dev.lockwatch.agent.ops.EventLog;
import dev.lockwatch.agent.ops.SafeText;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The agent's own logging: a private Logback {@link LoggerContext}, built here and never registered with
 * SLF4J's global {@code LoggerFactory}. Together with the relocation of Logback and SLF4J in the agent jar, the
 * application's logging (its {@code logback.xml}, SLF4J provider and levels) and the agent's cannot see each
 * other.
 *
 * <p>Built in, without any XML: {@code format=text} (a pattern layout) or {@code format=json} (Logback's
 * {@link JsonEncoder}, one object per line), to stderr or, with {@code log=<path>}, to a file rolled at
 * {@value #MAX_FILE_MB} MB with {@value #OLD_FILES} old files kept. A {@code logConfig} file replaces all of it.
 * Every event carries its key-value pairs (see {@code ReportFields}); the text layout ignores them, the JSON
 * encoder writes them, and so does any encoder a {@code logConfig} file names.
 */
public final class AgentLog implements EventLog {
    public static final String LOGGER = "lockwatch";
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} [lockwatch] %-5level %msg%n";
    static final int MAX_FILE_MB = 10;
    static final int OLD_FILES = 5;

    private final LoggerContext context;
    private final Logger log;
    /** The built-in JSON form: an event's message is its headline, the rest is in its key-value pairs. */
    private final boolean json;
    /** The built-in setup writes to stderr: problem lines then go through it, not around it. */
    private final boolean stderr;
    /** Where the log goes, for people: "stderr", a file, or a logConfig file. */
    private final String destination;

    private AgentLog(LoggerContext context, boolean json, boolean stderr, String destination) {
        this.context = context;
        this.log = context.getLogger(LOGGER);
        this.json = json;
        this.stderr = stderr;
        this.destination = destination;
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
                problems.accept("cannot read logConfig file '" + logConfig + "'; accepted: " + Options.KEYS.get("logConfig")
                        + "; logging to " + fallback + " instead");
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
        if (new StatusUtil(ctx).getHighestLevel(0) < Status.ERROR) {
            return new AgentLog(ctx, false, false, "logConfig " + logConfig);
        }
        String why = firstError(ctx);
        ctx.stop();
        problems.accept("logConfig file '" + logConfig + "' is not a valid Logback configuration" + why
                + "; logging to " + fallback + " instead");
        return null;
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
                problems.accept("cannot write the log file '" + file + "'" + why + "; accepted: " + Options.KEYS.get("log")
                        + "; logging to stderr instead");
            }
        }
        boolean toStderr = appender == null;
        if (toStderr) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setContext(ctx);
            console.setName("stderr");
            console.setTarget("System.err");
            console.setEncoder(encoder(ctx, json));
            console.start();
            appender = console;
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return new AgentLog(ctx, json, toStderr, toStderr ? "stderr" : file.toString());
    }

    /** The file, rolled by size into {@code <file>.1} (newest) to {@code <file>.5}; null when it cannot be opened. */
    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file, boolean json, FileSize maxFileSize) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
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

    public Logger logger() {
        return log;
    }

    /** "stderr", the log file, or "logConfig <file>". */
    public String destination() {
        return destination;
    }

    /**
     * The option problems found at start-up, one line each. To stderr as {@code lockwatch: <problem>}, so that
     * whoever starts the JVM sees them wherever the log goes; when the log is a file, in it too. When the log
     * itself is JSON on stderr, through the encoder only, so that stderr stays one JSON object per agent line.
     */
    public void reportProblems(List<String> problems) {
        for (String problem : problems) {
            if (!(json && stderr)) {
                System.err.println("lockwatch: " + problem);
            }
            if (json || !stderr && !destination.startsWith("logConfig ")) {
                log.warn("lockwatch: " + problem);
            }
        }
    }

    @Override
    public void event(Event event) {
        LoggingEventBuilder line = event.kind().stuck() ? log.atError() : log.atWarn();
        for (Event.Field f : event.fields()) {
            line = line.addKeyValue(f.key(), f.value());
        }
        line.log(json ? event.headline() : event.text());
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    /** A problem of the agent itself: never an event, so never an event kind in capitals. */
    public void problem(String message, Throwable cause) {
        log.warn(SafeText.plain(message + ": " + cause));
    }

    @Override
    public void close() {
        context.stop();
    }

    public void stop() {
        context.stop();
    }
}
