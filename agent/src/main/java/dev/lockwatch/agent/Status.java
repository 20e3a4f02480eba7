package dev.lockwatch.agent;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.lockwatch.agent.ops.LockwatchMXBean;

import java.io.IOException;
import java.io.PrintStream;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code status <pid>}: the counts and the current wait-for graph of a running JVM that has Lockwatch, read from
 * its MBean ({@code dev.lockwatch:type=Lockwatch}). The attach API starts the JVM's local management agent (a
 * JMX connector reachable only from this machine, by the same user) and gives its address.
 *
 * <p>A JVM is only attached to when the JDK lists it ({@code VirtualMachine.list()}): the attach handshake sends
 * SIGQUIT, which kills a process that is not a JVM. A JVM without Lockwatch is told apart by the system property
 * Lockwatch sets, before anything is started in it. Every failure is one line on stderr and exit code 1.
 */
final class Status {
    private Status() {
    }

    static int print(String pid, PrintStream out, PrintStream err) {
        if (!pid.matches("\\d{1,10}")) {
            err.println("lockwatch: '" + pid + "' is not a process id; usage: status <pid>");
            return 2;
        }
        if (!ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
            err.println("lockwatch: no status for " + pid + ": no such process");
            return 1;
        }
        boolean listed = false;
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            listed |= d.id().equals(pid);
        }
        if (!listed) {
            err.println("lockwatch: no status for " + pid + ": it is not a JVM of this user that can be attached to"
                    + " (see 'list')");
            return 1;
        }
        String url;
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                if (vm.getSystemProperties().getProperty(Lockwatch.RUNNING_PROPERTY) == null) {
                    err.println("lockwatch: JVM " + pid + " does not run Lockwatch (start it with -javaagent, or"
                            + " 'java -jar lockwatch-agent.jar attach " + pid + "')");
                    return 1;
                }
                url = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            err.println("lockwatch: cannot attach to " + pid + ": " + Cli.reason(e));
            return 1;
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(LockwatchMXBean.OBJECT_NAME);
            if (!server.isRegistered(name)) {
                err.println("lockwatch: JVM " + pid + " runs Lockwatch but has no MBean " + LockwatchMXBean.OBJECT_NAME
                        + " (jmx=off, its first check has not run yet, or registering failed: see that JVM's Lockwatch log)");
                return 1;
            }
            LockwatchMXBean bean = JMX.newMXBeanProxy(server, name, LockwatchMXBean.class);
            out.println("Lockwatch " + bean.getVersion() + " in JVM " + pid + ": " + bean.getCheckCount() + " checks; reports:"
                    + " deadlock " + bean.getDeadlockCount() + ", starvation " + bean.getStarvationCount()
                    + ", lock order " + bean.getLockOrderCount() + ", held while blocking " + bean.getHeldWhileBlockingCount()
                    + "; suppressed " + bean.getSuppressedCount() + ", reminders " + bean.getReminderCount());
            out.println("options: " + bean.getOptions());
            out.print(bean.dumpWaitForGraph());
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println("lockwatch: cannot read the status of " + pid + " over JMX (" + url + "): " + Cli.reason(e));
            return 1;
        }
    }
}
