package dev.lockwatch.startup;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded Jetty 12 (ee10) serving one servlet on 127.0.0.1:PORT, for as long as the process lives.
 * scripts/startup.sh times a JVM launch to the first 200 response, without and with the agent: a realistic
 * start-up, where the agent's own start-up and its instrumentation of every class Jetty loads both count.
 *
 * <p>usage: {@code java -jar startup-apps/target/startup-jetty.jar PORT}
 */
public final class JettyApp {

    private JettyApp() {
    }

    /** Answers every GET with a short text body. */
    static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().println("hello");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: JettyApp PORT");
            System.exit(2);
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new HelloServlet()), "/");
        server.setHandler(context);

        server.start();
        server.join();
    }
}
