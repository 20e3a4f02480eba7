package dev.lockwatch.it.apps;

/** A hello world: what the agent's start-up path costs a program that does nothing else (StartupIT). */
public final class HelloApp {
    private HelloApp() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
