package dev.switchboard.responses;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code GET /v1/responses/{id}/input_items}: the items a stored response was made from, in OpenAI's
 * list shape ({@code object: "list", data, first_id, last_id, has_more}), paged by {@code limit} (1 to
 * 100, default 20), {@code order} ({@code desc}, the default: newest first, or {@code asc}) and
 * {@code after} (an item id). The items are the whole context the response was made from: with a
 * {@code previous_response_id}, the earlier conversation first ("the input items used to generate this
 * response", in OpenAI's words). Every item has an id ({@link #withIds}: given when the response is
 * stored, so that {@code after} finds it again).
 */
public final class InputItems {

  private InputItems() {
  }

  /** The page of a stored entry's input items that the query asks for; a 400 error for a wrong query. */
  public static JsonObject list(JsonObject entry, String limitParam, String orderParam, String after) {
    int limit = limit(limitParam);
    boolean newestFirst = order(orderParam);
    List<JsonObject> items = of(entry);
    if (newestFirst) {
      Collections.reverse(items);
    }
    int from = 0;
    if (after != null) {
      from = -1;
      for (int i = 0; i < items.size() && from < 0; i++) {
        if (after.equals(items.get(i).getString("id"))) {
          from = i + 1;
        }
      }
      if (from < 0) {
        throw OpenAiError.badRequest("No item with id '" + after + "' in the input of this response.", "after")
            .asException();
      }
    }
    JsonArray data = new JsonArray();
    for (int i = from; i < items.size() && data.size() < limit; i++) {
      data.add(shown(items.get(i)));
    }
    return new JsonObject().put("object", "list").put("data", data)
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        .put("has_more", from + data.size() < items.size());
  }

  /**
   * The items as they are to be stored: each without an id gets one ({@code msg_}, {@code fc_},
   * {@code fco_}, {@code rs_} or {@code item_} + random hex), a copy, the client's own left alone.
   */
  public static JsonArray withIds(JsonArray items) {
    JsonArray out = new JsonArray();
    for (Object o : items) {
      if (o instanceof JsonObject item && !(item.getValue("id") instanceof String)) {
        out.add(item.copy().put("id", ResponseObject.itemId(prefix(item.getString("type", "message")))));
      } else {
        out.add(o);
      }
    }
    return out;
  }

  /** The stored conversation less the response's own output, which was appended to it last. */
  private static List<JsonObject> of(JsonObject entry) {
    JsonArray history = entry.getJsonArray("history", new JsonArray());
    JsonArray output = entry.getJsonObject("response", new JsonObject()).getJsonArray("output", new JsonArray());
    List<JsonObject> items = new ArrayList<>();
    for (int i = 0; i < history.size() - output.size(); i++) {
      if (history.getValue(i) instanceof JsonObject item) {
        items.add(item);
      }
    }
    return items;
  }

  /** A message as OpenAI lists it: its content as parts (a string becomes one text part), a status. */
  private static JsonObject shown(JsonObject item) {
    if (!"message".equals(item.getString("type", "message"))) {
      return item;
    }
    JsonObject shown = item.copy().put("type", "message");
    if (item.getValue("content") instanceof String text) {
      String part = "assistant".equals(item.getString("role")) ? "output_text" : "input_text";
      shown.put("content", new JsonArray().add(new JsonObject().put("type", part).put("text", text)));
    }
    if (!shown.containsKey("status")) {
      shown.put("status", "completed");
    }
    return shown;
  }

  private static String prefix(String type) {
    return switch (type) {
      case "message" -> "msg";
      case "function_call" -> "fc";
      case "function_call_output" -> "fco";
      case "custom_tool_call" -> "ctc";
      case "custom_tool_call_output" -> "ctco";
      case "reasoning" -> "rs";
      default -> "item";
    };
  }

  private static int limit(String param) {
    if (param == null) {
      return 20;
    }
    try {
      int limit = Integer.parseInt(param);
      if (limit >= 1 && limit <= 100) {
        return limit;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw OpenAiError.badRequest("Invalid 'limit': " + param + " (expected: an integer from 1 to 100).", "limit")
        .asException();
  }

  /** True for newest first. */
  private static boolean order(String param) {
    if (param == null || "desc".equals(param)) {
      return true;
    }
    if ("asc".equals(param)) {
      return false;
    }
    throw OpenAiError.badRequest("Invalid 'order': '" + param + "' (expected: 'asc' or 'desc').", "order")
        .asException();
  }
}
