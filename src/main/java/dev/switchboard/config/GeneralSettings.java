package dev.switchboard.config;

import java.time.Duration;

/**
 * The parts of LiteLLM's {@code general_settings} that Switchboard honours.
 *
 * @param masterKey               the key every client must present; null means the proxy is open
 * @param backgroundHealthChecks  whether BackendVerticles probe their backends in the background
 * @param healthCheckInterval     time between two background probes of a healthy backend
 */
public record GeneralSettings(String masterKey, boolean backgroundHealthChecks, Duration healthCheckInterval) {
}
