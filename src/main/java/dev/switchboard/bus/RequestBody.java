package dev.switchboard.bus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's JSON body, read once in one streaming pass that builds no tree: the pass checks the
 * syntax, notes where each top-level value lies in the bytes, and checks the shape of {@code messages}.
 * The tree ({@link #json()}) is built only when something needs the whole body (a translating
 * provider, a front door); the usual call, forwarded to an OpenAI-compatible backend, never builds it,
 * and gets its {@code model} replaced where the pass found it ({@link #withModel}). An agent's body
 * runs to hundreds of KB, so the tree and a second scan of the bytes were most of its cost.
 *
 * <p>The pass is strict JSON. A body it refuses but Vert.x's parser accepts (comments, a key given
 * twice) is read as a tree instead, and its bytes are never edited: a backend's parser might read
 * such bytes otherwise than the gateway did. Immutable but for the tree, made on first use (twice at
 * worst, when two threads ask at once); treat the tree as read-only: one body is shared by the
 * verticles of a node.
 */
public final class RequestBody {

  /** Jackson with its defaults: strict JSON (Vert.x's own parser also skips comments). */
  private static final JsonFactory STRICT = new JsonFactory();

  /** Where a top-level value lies in the bytes, and what kind of token starts it. */
  private record Slice(int start, int end, JsonToken kind) {
  }

  private final Buffer bytes;
  private final Map<String, Slice> slices; // null when the body was read or made as a tree
  private final int modelStart;
  private final int modelEnd;
  private final int messageCount;
  private final int messageWithoutRole;
  private volatile JsonObject json;

  private RequestBody(Buffer bytes, Map<String, Slice> slices, int modelStart, int modelEnd, int messageCount,
                      int messageWithoutRole, JsonObject json) {
    this.bytes = bytes;
    this.slices = slices;
    this.modelStart = modelStart;
    this.modelEnd = modelEnd;
    this.messageCount = messageCount;
    this.messageWithoutRole = messageWithoutRole;
    this.json = json;
  }

  /**
   * The client's bytes, read.
   *
   * @return the body, or null when the bytes are JSON but not an object
   * @throws DecodeException when they are not JSON (Vert.x's message)
   */
  public static RequestBody read(Buffer bytes) {
    RequestBody strict = readStrictly(bytes);
    if (strict != null) {
      return strict;
    }
    Object parsed = bytes.toJsonValue();
    return parsed instanceof JsonObject tree ? fromTree(tree, bytes) : null;
  }

  /** The client's bytes and the tree a front door already made of them. */
  public static RequestBody of(JsonObject tree, Buffer bytes) {
    if (bytes == null) {
      return of(tree);
    }
    RequestBody strict = readStrictly(bytes);
    if (strict == null) {
      return fromTree(tree, bytes);
    }
    strict.json = tree;
    return strict;
  }

  /** A body the gateway made (a front door's translation): no client bytes to edit. */
  public static RequestBody of(JsonObject json) {
    return fromTree(json, null);
  }

  /** This body with one top-level key set; the result has no client bytes. */
  public RequestBody with(String key, Object value) {
    return of(json().copy().put(key, value));
  }

  /** The whole body as a tree, built at the first call. Read-only. */
  public JsonObject json() {
    JsonObject tree = json;
    if (tree == null) {
      tree = new JsonObject(bytes);
      json = tree;
    }
    return tree;
  }

  /** A top-level value as the tree would have it (a container is read from its bytes alone), or null. */
  public Object get(String key) {
    if (slices == null) {
      return json.getValue(key);
    }
    Slice s = slices.get(key);
    if (s == null) {
      return null;
    }
    return switch (s.kind) {
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case VALUE_STRING -> string(s);
      default -> bytes.slice(s.start, s.end).toJsonValue();
    };
  }

  /**
   * A string value as the tree has it. When it is ASCII without an escape, its text is its bytes between
   * the quotes (the pass refused raw control characters), read without a parser: {@code model} is read
   * from every request, and a parser costs more than the name. Anything else goes to the parser.
   */
  private Object string(Slice s) {
    int from = s.start + 1;
    int to = s.end - 1;
    boolean plain = to >= from && bytes.getByte(s.start) == '"' && bytes.getByte(to) == '"';
    for (int i = from; plain && i < to; i++) {
      byte c = bytes.getByte(i);
      plain = c != '\\' && c >= 0x20; // c < 0: a byte of a multi-byte sequence
    }
    return plain ? bytes.getString(from, to, "US-ASCII") : bytes.slice(s.start, s.end).toJsonValue();
  }

  /** Whether the body has {@code key} at its top level (with any value, null too). */
  public boolean has(String key) {
    return slices == null ? json.containsKey(key) : slices.containsKey(key);
  }

  /** Whether the body has {@code key} at its top level with a value other than null (read without decoding it). */
  public boolean present(String key) {
    if (slices == null) {
      return json.getValue(key) != null;
    }
    Slice s = slices.get(key);
    return s != null && s.kind != JsonToken.VALUE_NULL;
  }

  /** How many top-level keys. */
  public int size() {
    return slices == null ? json.size() : slices.size();
  }

  /** How many elements {@code messages} has; -1 when it is missing or not an array. */
  public int messageCount() {
    return messageCount;
  }

  /** The first element of {@code messages} that is not an object with a string {@code role}; -1 if none. */
  public int messageWithoutRole() {
    return messageWithoutRole;
  }

  /** The client's bytes, or the tree encoded when the gateway made the body. */
  public Buffer bytes() {
    return bytes != null ? bytes : json.toBuffer();
  }

  /** The client's bytes themselves, or null when the gateway made the body. */
  public Buffer clientBytes() {
    return bytes;
  }

  /**
   * The client's bytes with the top-level {@code model} value replaced by {@code model}, or null when
   * they cannot be edited safely: no client bytes, not strict JSON, no string {@code model}, a key
   * given twice or not written as itself (an escape, a byte outside ASCII), or another key that is
   * {@code model} ignoring case (Go's {@code encoding/json}, Ollama's for one, matches keys so).
   */
  public Buffer withModel(String model) {
    if (modelStart < 0) {
      return null;
    }
    byte[] value = Json.encode(model).getBytes(StandardCharsets.UTF_8);
    // The client's bytes on either side of the value, not copied: an agent's body is hundreds of KB, and
    // the socket's write copies it once anyway. Nothing writes to the client's bytes once they are read.
    ByteBuf client = ((BufferInternal) bytes).getByteBuf();
    int length = client.readableBytes();
    return BufferInternal.buffer(Unpooled.wrappedUnmodifiableBuffer(
        client.slice(0, modelStart), Unpooled.wrappedBuffer(value), client.slice(modelEnd, length - modelEnd)));
  }

  private static RequestBody fromTree(JsonObject tree, Buffer bytes) {
    int count = -1;
    int withoutRole = -1;
    if (tree.getValue("messages") instanceof JsonArray list) {
      count = list.size();
      for (int i = 0; i < count && withoutRole < 0; i++) {
        if (!(list.getValue(i) instanceof JsonObject m) || !(m.getValue("role") instanceof String)) {
          withoutRole = i;
        }
      }
    }
    return new RequestBody(bytes, null, -1, -1, count, withoutRole, tree);
  }

  /** The one pass; null when the bytes are not one strict JSON object with each top-level key once. */
  private static RequestBody readStrictly(Buffer bytes) {
    // The bytes where they lie when a heap array holds them (the body handler's buffer): not copied.
    ByteBuf buf = ((BufferInternal) bytes).getByteBuf();
    byte[] array;
    int offset;
    if (buf.hasArray()) {
      array = buf.array();
      offset = buf.arrayOffset() + buf.readerIndex();
    } else {
      array = bytes.getBytes();
      offset = 0;
    }
    int length = buf.readableBytes();
    if (!startsWithBrace(array, offset, length)) {
      return null; // a byte-order mark, UTF-16 or UTF-32: Jackson would count offsets in other units
    }
    Map<String, Slice> slices = new HashMap<>();
    int count = -1;
    int withoutRole = -1;
    boolean modelLookalike = false;
    boolean plainKeys = true;
    try (JsonParser p = STRICT.createParser(array, offset, length)) { // its offsets count from offset
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!plainKey(array, offset, length, (int) p.currentTokenLocation().getByteOffset(), key)) {
          plainKeys = false;
        }
        JsonToken kind = p.nextToken();
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (start < 0) {
          return null;
        }
        if (kind == JsonToken.START_ARRAY && key.equals("messages")) {
          count = 0;
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (!hasStringRole(p, e) && withoutRole < 0) {
              withoutRole = count;
            }
            count++;
          }
        } else if (kind == JsonToken.START_OBJECT || kind == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else {
          p.finishToken(); // a string is read lazily: its end is known once it is read (a big one is
                           // rare at the top level: a chat's text is inside messages, skipped unread)
        }
        if (slices.put(key, new Slice(start, (int) p.currentLocation().getByteOffset(), kind)) != null) {
          return null; // parsers disagree on which of the two counts
        }
        if (key.length() == 5 && !key.equals("model") && key.equalsIgnoreCase("model")) {
          modelLookalike = true;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException notStrict) {
      return null;
    }
    Slice model = slices.get("model");
    boolean editable = model != null && model.kind == JsonToken.VALUE_STRING && !modelLookalike && plainKeys;
    return new RequestBody(bytes, slices, editable ? model.start : -1, editable ? model.end : -1, count, withoutRole,
        null);
  }

  /** Whether the first byte that is not JSON whitespace is {@code {}. */
  private static boolean startsWithBrace(byte[] b, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return c == '{';
      }
    }
    return false;
  }

  /**
   * Whether the key at {@code quote} is written as itself: ASCII, no escape. A key written otherwise
   * ({@code "mod\u0065l"}, an overlong UTF-8 sequence) may read as another key to another parser.
   */
  private static boolean plainKey(byte[] b, int offset, int length, int quote, String key) {
    int n = key.length();
    if (quote < 0 || quote + n + 1 >= length || b[offset + quote] != '"' || b[offset + quote + n + 1] != '"') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c >= 0x80 || c == '\\' || b[offset + quote + 1 + i] != c) {
        return false;
      }
    }
    return true;
  }

  /** Reads one element of {@code messages}, which starts with {@code first}; true if an object with a string role. */
  private static boolean hasStringRole(JsonParser p, JsonToken first) throws IOException {
    if (first != JsonToken.START_OBJECT) {
      p.skipChildren();
      return false;
    }
    boolean stringRole = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean role = p.currentName().equals("role");
      JsonToken value = p.nextToken();
      if (role) {
        stringRole = value == JsonToken.VALUE_STRING; // a role given twice: the last counts, as in the tree
      }
      p.skipChildren();
    }
    return stringRole;
  }
}
