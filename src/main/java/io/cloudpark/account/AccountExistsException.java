package io.cloudpark.account;

/** An account of that name exists already. */
public class AccountExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AccountExistsException(String name) {
        super("account exists: " + name);
    }
}
