package dev.lockwatch.it;

import com.sun.tools.attach.VirtualMachine;
import dev.lockwatch.agent.ops.LockwatchMXBean;

import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** Lockwatch's MBean in a child JVM, read the way any JMX client reads it: the JDK's local management agent. */
final class Jmx implements AutoCloseable {
    private final JMXConnector connector;
    private final LockwatchMXBean bean;

    private Jmx(JMXConnector connector, LockwatchMXBean bean) {
        this.connector = connector;
        this.bean = bean;
    }

    static Jmx of(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        String url;
        try {
            url = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url));
        return new Jmx(connector, JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                new ObjectName("dev.lockwatch:type=Lockwatch"), LockwatchMXBean.class));
    }

    LockwatchMXBean bean() {
        return bean;
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
