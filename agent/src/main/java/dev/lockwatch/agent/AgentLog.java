package dev.lockwatch.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.EventSink;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.StarvationReport;
import dev.lockwatch.agent.report.ReportFormatter;
import org.slf4j.Logger;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The agent's own logging: a private Logback {@link LoggerContext}, built here and never registered with
 * SLF4J's global {@code LoggerFactory}. Together with the relocation of Logback and SLF4J in the agent jar, the
 * application's logging (its {@code logback.xml}, SLF4J provider and levels) and the agent's cannot see each
 * other.
 */
public final class AgentLog implements EventSink {
    public static final String LOGGER = "lockwatch";
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} [lockwatch] %-5level %msg%n";

    private final LoggerContext context;
    private final Logger log;

    private AgentLog(LoggerContext context) {
        this.context = context;
        this.log = context.getLogger(LOGGER);
    }

    /**
     * Logging per {@code logConfig}, or to stderr when it is null or unusable; {@code problems} receives one
     * line per problem with the file.
     */
    public static AgentLog create(Path logConfig, Consumer<String> problems) {
        if (logConfig != null) {
            if (!Files.isRegularFile(logConfig) || !Files.isReadable(logConfig)) {
                problems.accept("cannot read logConfig file '" + logConfig + "'; accepted: " + Options.KEYS.get("logConfig")
                        + "; logging to stderr instead");
            } else {
                LoggerContext ctx = newContext();
                try {
                    JoranConfigurator joran = new JoranConfigurator();
                    joran.setContext(ctx);
                    String xml = Files.readString(logConfig);
                    joran.doConfigure(new ByteArrayInputStream(relocate(xml).getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    // reported below through the status manager
                }
                StatusUtil statuses = new StatusUtil(ctx);
                if (statuses.getHighestLevel(0) < Status.ERROR) {
                    return new AgentLog(ctx);
                }
                String why = "";
                for (Status st : ctx.getStatusManager().getCopyOfStatusList()) {
                    if (st.getLevel() == Status.ERROR) {
                        why = ": " + st.getMessage();
                        break;
                    }
                }
                ctx.stop();
                problems.accept("logConfig file '" + logConfig + "' is not a valid Logback configuration" + why
                        + "; logging to stderr instead");
            }
        }
        return new AgentLog(stderrContext());
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

    private static LoggerContext stderrContext() {
        LoggerContext ctx = newContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        return ctx;
    }

    public Logger logger() {
        return log;
    }

    @Override
    public void deadlock(DeadlockReport report) {
        log.atError()
                .addKeyValue("event", "DEADLOCK")
                .addKeyValue("fingerprint", report.fingerprint())
                .log(ReportFormatter.format(report));
    }

    @Override
    public void starvation(StarvationReport report) {
        log.atError()
                .addKeyValue("event", "STARVATION")
                .addKeyValue("fingerprint", report.fingerprint())
                .log(ReportFormatter.format(report));
    }

    @Override
    public void heldWhileBlocking(HeldWhileBlockingReport report) {
        log.atWarn()
                .addKeyValue("event", "HELD_WHILE_BLOCKING")
                .addKeyValue("fingerprint", report.fingerprint())
                .log(ReportFormatter.format(report));
    }

    @Override
    public void agentProblem(String message, Throwable cause) {
        log.warn("{}: {}", message, String.valueOf(cause));
    }

    public void stop() {
        context.stop();
    }
}
