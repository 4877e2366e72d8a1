package org.acme.greeting;

/** The caller sent input the function refuses; answered with 400 and this message. */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message, null, false, false);
    }
}
