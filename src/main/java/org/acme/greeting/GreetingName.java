package org.acme.greeting;

/** The rule for names: trimmed, 1 to 64 characters, letters, digits, spaces and {@code - ' .}. */
final class GreetingName {

    static final int MAX_LENGTH = 64;

    private GreetingName() {
    }

    /** Returns the trimmed name, or throws {@link InvalidInputException} saying what is wrong with it. */
    static String validate(String raw) {
        String name = raw.strip();
        if (name.isEmpty()) {
            throw new InvalidInputException("name must not be empty or blank");
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_LENGTH) {
            throw new InvalidInputException(
                    "name must be at most " + MAX_LENGTH + " characters, got " + length);
        }
        int position = 0;
        for (int i = 0; i < name.length(); i += Character.charCount(name.codePointAt(i))) {
            int c = name.codePointAt(i);
            position++;
            if (!allowed(c)) {
                // The character is named by code point so that no control character or markup
                // from the caller is echoed back.
                throw new InvalidInputException(String.format(
                        "name has a character that is not allowed (U+%04X at position %d);"
                                + " use letters, digits, spaces and - ' .",
                        c, position));
            }
        }
        return name;
    }

    private static boolean allowed(int c) {
        return Character.isLetter(c) || Character.isDigit(c)
                || Character.getType(c) == Character.NON_SPACING_MARK
                || Character.getType(c) == Character.COMBINING_SPACING_MARK
                || c == ' ' || c == '-' || c == '\'' || c == '.';
    }
}
