package dev.lockwatch.it.apps;

import java.io.IOException;
import java.io.InputStream;

/**
 * Loads {@link IsolatedTask} through a class loader that, like OSGi without boot delegation or JBoss Modules,
 * lets only {@code java.*} through to the JDK: it cannot see the agent's bootstrap classes, so the agent must
 * leave its classes alone (rewritten, they failed with NoClassDefFoundError).
 */
public final class IsolatedLoaderApp {
    private IsolatedLoaderApp() {
    }

    static class Isolating extends ClassLoader {
        Isolating() {
            super(null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("java.")) {
                return Class.forName(name, false, null);
            }
            if (!name.startsWith(IsolatedLoaderApp.class.getPackageName() + ".")) {
                throw new ClassNotFoundException(name + " (this bundle has only its own package and java.*)");
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) {
                    return c;
                }
                byte[] b = classFile(name);
                return defineClass(name, b, 0, b.length);
            }
        }
    }

    /** The class file of an application class, read from the application's class path. */
    static byte[] classFile(String name) throws ClassNotFoundException {
        try (InputStream in = IsolatedLoaderApp.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    public static void main(String[] args) throws Exception {
        Runnable task = (Runnable) new Isolating().loadClass(IsolatedTask.class.getName()).getDeclaredConstructor().newInstance();
        try {
            task.run();
            System.out.println("isolated-loader: task ran");
        } catch (Throwable t) {
            System.out.println("isolated-loader: task failed with " + t);
        }
    }
}
