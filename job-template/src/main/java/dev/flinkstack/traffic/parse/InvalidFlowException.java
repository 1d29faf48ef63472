package dev.flinkstack.traffic.parse;

/**
 * A line that is not a valid flow record; the message is the reason written to the dead-letter
 * output. Carries no stack trace: bad input is expected data, not a bug, and must stay cheap.
 */
public class InvalidFlowException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidFlowException(String reason) {
        super(reason, null, false, false);
    }
}
