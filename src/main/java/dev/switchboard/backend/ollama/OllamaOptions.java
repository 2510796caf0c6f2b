package dev.switchboard.backend.ollama;

import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Set;

/**
 * OpenAI sampling parameters → Ollama's {@code options}, and the request keys Ollama takes at the top
 * level ({@code format}, {@code keep_alive}, {@code think}). Shared by /api/chat and /api/generate.
 *
 * <p>Two layers, applied in order so that the request wins: the model's {@code litellm_params}, then the
 * request. In each layer Ollama's own {@code options} object comes first and the OpenAI names after it,
 * so {@code max_tokens} beats {@code options.num_predict} given beside it.
 *
 * <p>Deliberate differences from LiteLLM: {@code frequency_penalty} and {@code presence_penalty} go to
 * Ollama's options of the same name and meaning (additive, 0 = off). LiteLLM sends frequency_penalty as
 * {@code repeat_penalty}, a multiplicative factor where 1.0 = off, so its 0.5 actually rewards repetition.
 */
final class OllamaOptions {

  /** Ollama option names also accepted at the top level of a request or in litellm_params. */
  static final Set<String> NATIVE = Set.of("num_ctx", "num_keep", "num_batch", "num_gpu", "main_gpu",
      "num_thread", "top_k", "min_p", "typical_p", "repeat_last_n", "repeat_penalty", "mirostat",
      "mirostat_tau", "mirostat_eta", "penalize_newline", "numa", "use_mmap", "use_mlock", "low_vram",
      "tfs_z", "num_predict");
  private static final Set<String> SAME_NAME = Set.of("temperature", "top_p", "seed", "frequency_penalty",
      "presence_penalty");

  private OllamaOptions() {
  }

  /** Puts {@code options}, {@code format}, {@code keep_alive} and {@code think} into {@code into}. */
  static void apply(JsonObject request, ModelDeployment deployment, JsonObject into) {
    if (request.getValue("n") instanceof Number n && n.intValue() != 1) {
      throw bad("n: Ollama makes one choice per request; send n: 1 (or leave it out)", "n");
    }
    JsonObject options = new JsonObject();
    layer(deployment.litellmParams(), deployment, options, into, "litellm_params.");
    layer(request, deployment, options, into, "");
    if (!options.isEmpty()) {
      into.put("options", options);
    }
  }

  private static void layer(JsonObject src, ModelDeployment deployment, JsonObject options, JsonObject top,
                            String where) {
    if (src.getValue("options") instanceof JsonObject native_) {
      native_.forEach(e -> options.put(e.getKey(), e.getValue()));
    } else if (src.getValue("options") != null) {
      throw bad(where + "options: must be an object of Ollama options, e.g. {\"num_ctx\": 8192}", "options");
    }
    for (String key : NATIVE) {
      putIfSet(src, key, options, key);
    }
    for (String key : SAME_NAME) {
      putIfSet(src, key, options, key);
    }
    putIfSet(src, "max_tokens", options, "num_predict");
    putIfSet(src, "max_completion_tokens", options, "num_predict");
    Object stop = src.getValue("stop");
    if (stop instanceof String s) {
      options.put("stop", new JsonArray().add(s));
    } else if (stop instanceof JsonArray list) {
      if (!list.stream().allMatch(String.class::isInstance)) {
        throw bad(where + "stop: must be a string or a list of strings", "stop");
      }
      options.put("stop", list.copy());
    }
    putIfSet(src, "keep_alive", top, "keep_alive");
    putIfSet(src, "format", top, "format");
    if (src.getValue("response_format") != null) {
      Object format = format(src.getValue("response_format"), where);
      if (format != null) {
        top.put("format", format);
      }
    }
    putIfSet(src, "think", top, "think");
    if (src.getValue("reasoning_effort") != null) {
      top.put("think", think(src.getValue("reasoning_effort"), deployment.backendModel(), where));
    }
  }

  /** {@code json_object} → {@code "json"}; {@code json_schema} → the schema itself; {@code text} → nothing. */
  private static Object format(Object responseFormat, String where) {
    String type = responseFormat instanceof JsonObject rf ? rf.getString("type") : null;
    if ("text".equals(type)) {
      return null;
    }
    if ("json_object".equals(type)) {
      return "json";
    }
    if ("json_schema".equals(type)) {
      Object js = ((JsonObject) responseFormat).getValue("json_schema");
      if (js instanceof JsonObject j && j.getValue("schema") instanceof JsonObject schema) {
        return schema;
      }
      throw bad(where + "response_format: json_schema needs json_schema.schema (a JSON schema object)",
          "response_format");
    }
    throw bad(where + "response_format: type must be text, json_object or json_schema, got " + responseFormat,
        "response_format");
  }

  /**
   * {@code reasoning_effort} → {@code think}. Ollama's gpt-oss models take a level ("low", "medium",
   * "high"); every other thinking model takes only true/false, so any effort but "none" means true.
   */
  private static Object think(Object effort, String backendModel, String where) {
    if (!(effort instanceof String e)) {
      throw bad(where + "reasoning_effort: must be one of none, minimal, low, medium, high", "reasoning_effort");
    }
    String level = e.toLowerCase(Locale.ROOT);
    switch (level) {
      case "none" -> {
        return false;
      }
      case "minimal", "low", "medium", "high" -> {
        if (backendModel.toLowerCase(Locale.ROOT).contains("gpt-oss")) {
          return level.equals("minimal") ? "low" : level;
        }
        return true;
      }
      default -> throw bad(where + "reasoning_effort: must be one of none, minimal, low, medium, high, got '"
          + e + "'", "reasoning_effort");
    }
  }

  private static void putIfSet(JsonObject src, String key, JsonObject into, String as) {
    Object v = src.getValue(key);
    if (v != null) {
      into.put(as, v);
    }
  }

  static RuntimeException bad(String message, String param) {
    return OpenAiError.badRequest("litellm.BadRequestError: OllamaException - " + message, param).asException();
  }
}
