package dev.switchboard.config;

/**
 * What the router weighs when it chooses one deployment of a model group: LiteLLM's
 * {@code litellm_params.weight}, {@code rpm}, {@code tpm} and {@code order}. Zero means "not set".
 *
 * @param weight share of simple-shuffle's picks (relative to the group's other weights)
 * @param rpm    requests per minute: a limit, and simple-shuffle's weight when no weight is set
 * @param tpm    tokens per minute: a limit, and the weight when neither weight nor rpm is set
 * @param order  priority: lower first; a higher order serves only when every lower one cannot
 */
public record DeploymentRouting(double weight, long rpm, long tpm, int order) {

  public static final DeploymentRouting NONE = new DeploymentRouting(0, 0, 0, 0);

  /** Unset orders come after every set one (LiteLLM compares a missing order as infinity). */
  public int priority() {
    return order > 0 ? order : Integer.MAX_VALUE;
  }

  /** What simple-shuffle weighs this deployment by: weight, else rpm, else tpm; 0 when none is set. */
  public double shuffleWeight() {
    return weight > 0 ? weight : rpm > 0 ? rpm : tpm;
  }
}
