package io.cloudpark.store;

/**
 * How a changing statement hands back the rows it changed ({@code … RETURNING} on PostgreSQL, H2's
 * {@code SELECT … FROM FINAL TABLE (…)}): the one dialect difference of the plain JDBC statements.
 */
enum Returning {
    POSTGRESQL {
        @Override
        String sql(String change, String columns, boolean deleted) {
            return change + " returning " + columns;
        }
    },
    H2 {
        @Override
        String sql(String change, String columns, boolean deleted) {
            return "select " + columns + " from " + (deleted ? "old" : "final") + " table (" + change + ")";
        }
    };

    /** @param deleted the change is a DELETE: the rows as they were */
    abstract String sql(String change, String columns, boolean deleted);
}
