package dev.lockwatch.it.apps;

/**
 * Two class loaders that compare equal by value ({@code equals} always true, one {@code hashCode}): a delegating one,
 * whose classes see the agent's bootstrap classes, and an isolating one (only {@code java.*} reaches the JDK), whose
 * classes do not. The agent must tell them apart by identity: given the delegating loader's answer, the isolating
 * loader's class was rewritten and failed with NoClassDefFoundError.
 */
public final class EqualLoadersApp {
    private EqualLoadersApp() {
    }

    /** Equal to every loader of this app: value equality, as some containers define it. */
    static boolean equalLoader(Object o) {
        return o != null && o.getClass().getEnclosingClass() == EqualLoadersApp.class;
    }

    /** Sees the agent: defines {@link IsolatedTask} itself, delegates everything else to the application's loader. */
    static final class Delegating extends ClassLoader {
        Delegating() {
            super(EqualLoadersApp.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(IsolatedTask.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] b = IsolatedLoaderApp.classFile(name);
                    c = defineClass(name, b, 0, b.length);
                }
                return c;
            }
        }

        @Override
        public boolean equals(Object o) {
            return equalLoader(o);
        }

        @Override
        public int hashCode() {
            return 42;
        }
    }

    /** Cannot see the agent (only java.* reaches the JDK), yet equal to {@link Delegating}. */
    static final class Isolating extends IsolatedLoaderApp.Isolating {
        @Override
        public boolean equals(Object o) {
            return equalLoader(o);
        }

        @Override
        public int hashCode() {
            return 42;
        }
    }

    public static void main(String[] args) throws Exception {
        for (ClassLoader loader : new ClassLoader[] {new Delegating(), new Isolating()}) {
            Runnable task = (Runnable) loader.loadClass(IsolatedTask.class.getName()).getDeclaredConstructor().newInstance();
            try {
                task.run();
                System.out.println("equal-loaders: task ran in " + loader.getClass().getSimpleName());
            } catch (Throwable t) {
                System.out.println("equal-loaders: task failed in " + loader.getClass().getSimpleName() + " with " + t);
            }
        }
    }
}
