package org.acme.greeting;

/** The caller sent input the service refuses; answered with this 4xx status and message. */
public class InvalidInputException extends RuntimeException {

    private final int status;

    public InvalidInputException(String message) {
        this(400, message);
    }

    public InvalidInputException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
