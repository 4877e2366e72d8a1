package org.acme.greeting;

/**
 * Input of {@code greeting}. A mutable bean because Funqy binds GET query parameters through
 * setters; POST bodies are bound by Jackson into the same type.
 */
public class GreetingRequest {

    private String name;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
