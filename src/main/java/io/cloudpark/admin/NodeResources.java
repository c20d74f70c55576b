package io.cloudpark.admin;

import static io.cloudpark.admin.Views.ordered;

import java.io.IOException;
import java.util.Set;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.cluster.Cluster;

/**
 * The cluster as this node sees it ({@code GET /api/nodes}) and this node's draining switch
 * ({@code PUT /api/nodes/self/draining}). Operators only: a tenant admin has no business with the nodes.
 */
final class NodeResources {
    private static final Set<String> DRAINING = Set.of("draining");

    private final CloudparkApp app;
    private final Cluster cluster;
    private final Audit audit;

    NodeResources(CloudparkApp app, Audit audit) {
        this.app = app;
        this.cluster = app.cluster();
        this.audit = audit;
    }

    void addTo(Routes routes) {
        routes.add("GET", "nodes", this::list)
                .add("PUT", "nodes/self/draining", this::draining);
    }

    private void list(Exchange x) throws ApiError, IOException {
        operatorOnly(x.queryOnly());
        Json.write(x.response, 200, cluster.all().stream().map(node -> ordered("id", node.id(),
                "sipUri", node.sipUri(), "alive", cluster.isAlive(node), "self", node.id().equals(cluster.selfId()),
                "startedAt", node.startedAt().toString(), "lastSeen", node.lastSeen().toString(),
                "reapedAt", node.reapedAt() == null ? null : node.reapedAt().toString())).toList());
    }

    private void draining(Exchange x) throws ApiError, IOException {
        operatorOnly(x.queryOnly());
        boolean before = app.draining();
        app.draining(x.body(DRAINING).bool("draining"));
        audit.record(x, null, "node.draining", ordered("id", cluster.selfId(), "draining", before),
                ordered("id", cluster.selfId(), "draining", app.draining()));
        Json.write(x.response, 200, ordered("id", cluster.selfId(), "draining", app.draining()));
    }

    private static void operatorOnly(Exchange x) throws ApiError {
        if (!x.caller.isOperator()) {
            throw ApiError.forbidden("the nodes are the operator's");
        }
    }
}
