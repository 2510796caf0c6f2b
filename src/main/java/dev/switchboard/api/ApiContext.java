package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.routing.DeploymentStats;
import dev.switchboard.routing.ModelCatalog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every API verticle instance shares: the config in force, the model catalog, where finished
 * requests are reported, and routes other features add (health, metrics, reload).
 *
 * @param stats           what the router knows of each deployment, node-wide
 * @param publicRoutes    routes mounted before authentication
 * @param protectedRoutes routes mounted after authentication
 * @param cluster         what /health/readiness says of the cluster (its name, this node, the members);
 *                        null single-node
 * @param nodeId          this node's id (clustered, the cluster manager's)
 */
public record ApiContext(String host, int port, ConfigHolder config, ModelCatalog catalog, DeploymentStats stats,
                         RequestLog requestLog,
                         List<Consumer<Router>> publicRoutes, List<Consumer<Router>> protectedRoutes,
                         Supplier<JsonObject> cluster, String nodeId) {
}
