package dev.switchboard.api;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.models.CustomToolInputFormat;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.CustomTool;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseCustomToolCall;
import com.openai.models.responses.ResponseCustomToolCallOutput;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.OneModelSdkSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK's Responses API, pointed at Switchboard in front of a chat-completions backend. */
class ResponsesSdkTest extends OneModelSdkSpec {

  static String text(Response r) {
    return r.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
        .flatMap(c -> c.outputText().stream()).map(t -> t.text()).collect(Collectors.joining());
  }

  static FunctionTool weatherTool() {
    return FunctionTool.builder().name("get_weather").description("Weather of a city").strict(false)
        .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
        .build();
  }

  /** Answers one tool call while the last message is the user's, and DONE-<tool> once a tool result came. */
  static FakeOpenAiBackend.Behavior toolThenDone() {
    return (req, body) -> {
      JsonArray messages = body.getJsonArray("messages");
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      JsonObject message = "tool".equals(last.getString("role"))
          ? new JsonObject().put("role", "assistant").put("content", "DONE-" + last.getString("content"))
          : new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray().add(
              new JsonObject().put("id", "call_abc").put("type", "function").put("function", new JsonObject()
                  .put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}"))));
      JsonObject completion = FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "");
      completion.getJsonArray("choices").getJsonObject(0).put("message", message)
          .put("finish_reason", message.getValue("tool_calls") != null ? "tool_calls" : "stop");
      req.response().putHeader("content-type", "application/json").end(completion.encode());
    };
  }

  @Test
  void textAnswerIsAResponseWithOutputTextAndUsage() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .instructions("Be brief.").input("ping").build());

    assertThat(r.id()).startsWith("resp_");
    assertThat(r.status()).hasValue(ResponseStatus.COMPLETED);
    assertThat(text(r)).isEqualTo("Hello from the fake backend");
    assertThat(r.usage()).hasValueSatisfying(u -> {
      assertThat(u.inputTokens()).isEqualTo(7);
      assertThat(u.outputTokens()).isEqualTo(5);
      assertThat(u.totalTokens()).isEqualTo(12);
    });
    JsonObject sent = backend.last().body();
    assertThat(backend.last().path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.getJsonArray("messages")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", "ping")));
    assertThat(sent.getString("model")).isEqualTo("qwen3-coder-30b");
  }

  @Test
  void streamedTextArrivesAsDeltasInsideItemsAndEndsWithCompleted() {
    backend.behave(backend.streaming("qwen3-coder-30b", 0, "Hel", "lo", "!"));
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("qwen3-coder").input("ping").build())) {
      List<ResponseStreamEvent> events = stream.stream().toList();

      assertThat(events.get(0).isCreated()).isTrue();
      assertThat(events.get(1).isInProgress()).isTrue();
      assertThat(events.get(events.size() - 1).isCompleted()).isTrue();
      String deltas = events.stream().flatMap(e -> e.outputTextDelta().stream()).map(d -> d.delta())
          .collect(Collectors.joining());
      assertThat(deltas).isEqualTo("Hello!");
      Response done = events.get(events.size() - 1).asCompleted().response();
      assertThat(text(done)).isEqualTo("Hello!");
      assertThat(done.usage()).hasValueSatisfying(u -> assertThat(u.outputTokens()).isEqualTo(3));
      assertThat(events.stream().flatMap(e -> e.outputItemDone().stream()).map(d -> d.item().isMessage()).toList())
          .containsExactly(true);
    }
    assertThat(backend.last().body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
  }

  @Test
  void functionCallRoundTripByPreviousResponseId() {
    backend.behave(toolThenDone());
    Response first = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("Weather in Paris?").addTool(weatherTool()).build());

    ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream()).findFirst()
        .orElseThrow();
    assertThat(call.callId()).isEqualTo("call_abc");
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(backend.last().body().getJsonArray("tools").getJsonObject(0).getJsonObject("function")
        .getString("name")).isEqualTo("get_weather");

    Response second = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .previousResponseId(first.id()).addTool(weatherTool())
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId(call.callId()).output("sunny").build()))).build());

    assertThat(text(second)).isEqualTo("DONE-sunny");
    JsonArray messages = backend.last().body().getJsonArray("messages");
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList())
        .containsExactly("user", "assistant", "tool");
    assertThat(messages.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id"))
        .isEqualTo("call_abc");
    assertThat(messages.getJsonObject(2).getString("tool_call_id")).isEqualTo("call_abc");
  }

  /** A freeform tool (Codex's apply_patch for OpenAI's models): offered as a function, called back as itself. */
  @Test
  void customToolCallRoundTripWithTheWholeHistory() {
    backend.behave((req, body) -> {
      JsonArray messages = body.getJsonArray("messages");
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      JsonObject message = "tool".equals(last.getString("role"))
          ? new JsonObject().put("role", "assistant").put("content", "PATCHED-" + last.getString("content"))
          : new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray().add(
              new JsonObject().put("id", "call_p").put("type", "function").put("function", new JsonObject()
                  .put("name", "apply_patch").put("arguments", "{\"input\":\"*** Begin Patch\\n*** End Patch\"}"))));
      JsonObject completion = FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "");
      completion.getJsonArray("choices").getJsonObject(0).put("message", message);
      req.response().putHeader("content-type", "application/json").end(completion.encode());
    });
    CustomTool applyPatch = CustomTool.builder().name("apply_patch").description("Edit files.")
        .format(CustomToolInputFormat.Grammar.builder().syntax(CustomToolInputFormat.Grammar.Syntax.LARK)
            .definition("start: begin_patch").build()).build();

    Response first = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("Fix the typo.").addTool(applyPatch).store(false).build());

    ResponseCustomToolCall call = first.output().stream().flatMap(i -> i.customToolCall().stream()).findFirst()
        .orElseThrow();
    assertThat(call.name()).isEqualTo("apply_patch");
    assertThat(call.callId()).isEqualTo("call_p");
    assertThat(call.input()).isEqualTo("*** Begin Patch\n*** End Patch");
    assertThat(backend.last().body().getJsonArray("tools").getJsonObject(0).getJsonObject("function")
        .getJsonObject("parameters").getJsonObject("properties").containsKey("input")).isTrue();

    Response second = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .addTool(applyPatch).store(false).inputOfResponse(List.of(
            ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
                .role(com.openai.models.responses.EasyInputMessage.Role.USER).content("Fix the typo.").build()),
            ResponseInputItem.ofCustomToolCall(call),
            ResponseInputItem.ofCustomToolCallOutput(ResponseCustomToolCallOutput.builder().callId("call_p")
                .output("ok").build()))).build());

    assertThat(text(second)).isEqualTo("PATCHED-ok");
    JsonObject sentCall = backend.last().body().getJsonArray("messages").getJsonObject(1)
        .getJsonArray("tool_calls").getJsonObject(0);
    assertThat(new JsonObject(sentCall.getJsonObject("function").getString("arguments")).getString("input"))
        .isEqualTo("*** Begin Patch\n*** End Patch");
  }

  @Test
  void functionCallRoundTripWithTheWholeHistoryAndStoreFalse() {
    backend.behave(toolThenDone());
    Response first = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("Weather in Paris?").addTool(weatherTool()).store(false).build());
    ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream()).findFirst()
        .orElseThrow();

    Response second = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .addTool(weatherTool()).store(false)
        .inputOfResponse(List.of(
            ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
                .role(com.openai.models.responses.EasyInputMessage.Role.USER).content("Weather in Paris?").build()),
            ResponseInputItem.ofFunctionCall(call),
            ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(call.callId()).output("rainy").build()))).build());

    assertThat(text(second)).isEqualTo("DONE-rainy");
    assertThatThrownBy(() -> client.responses().retrieve(first.id()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("not found");
  }

  @Test
  void storedResponseCanBeRetrievedAndDeleted() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("ping").build());

    Response again = client.responses().retrieve(r.id());
    assertThat(again.id()).isEqualTo(r.id());
    assertThat(text(again)).isEqualTo("Hello from the fake backend");

    client.responses().delete(r.id());
    assertThatThrownBy(() -> client.responses().retrieve(ResponseRetrieveParams.builder().responseId(r.id()).build()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void reasoningContentBecomesAReasoningItemBeforeTheMessage() {
    backend.behave((req, body) -> {
      JsonObject c = FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "42");
      c.getJsonArray("choices").getJsonObject(0).getJsonObject("message").put("reasoning_content", "6 times 7");
      req.response().putHeader("content-type", "application/json").end(c.encode());
    });
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("6*7?")
        .reasoning(Reasoning.builder().effort(ReasoningEffort.HIGH).build()).build());

    List<ResponseOutputItem> output = r.output();
    assertThat(output).hasSize(2);
    assertThat(output.get(0).reasoning()).hasValueSatisfying(rs ->
        assertThat(rs.content().orElseThrow().get(0).text()).isEqualTo("6 times 7"));
    assertThat(text(r)).isEqualTo("42");
    assertThat(backend.last().body().getString("reasoning_effort")).isEqualTo("high");
  }

  @Test
  void jsonSchemaFormatIsSentAsResponseFormat() {
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "{\"answer\":42}").encode()));
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("answer?")
        .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("answer")
            .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("answer", Map.of("type", "integer"))))
                .build()).strict(true).build()).build()).build());

    assertThat(text(r)).isEqualTo("{\"answer\":42}");
    JsonObject format = backend.last().body().getJsonObject("response_format");
    assertThat(format.getString("type")).isEqualTo("json_schema");
    assertThat(format.getJsonObject("json_schema").getString("name")).isEqualTo("answer");
    assertThat(format.getJsonObject("json_schema").getBoolean("strict")).isTrue();
    assertThat(format.getJsonObject("json_schema").getJsonObject("schema").getString("type")).isEqualTo("object");
  }

  @Test
  void lengthFinishMakesAnIncompleteResponse() {
    backend.behave((req, body) -> {
      JsonObject c = FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "Once upon");
      c.getJsonArray("choices").getJsonObject(0).put("finish_reason", "length");
      req.response().putHeader("content-type", "application/json").end(c.encode());
    });
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("story")
        .maxOutputTokens(2).build());

    assertThat(r.status()).hasValue(ResponseStatus.INCOMPLETE);
    assertThat(r.incompleteDetails().orElseThrow().reason().orElseThrow().asString()).isEqualTo("max_output_tokens");
    assertThat(backend.last().body().getInteger("max_tokens")).isEqualTo(2);
  }

  @Test
  void unknownModelIsABadRequestNamingTheResponsesRoute() {
    assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("nope").input("x").build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("/responses: Invalid model name passed in model=nope");
  }

  @Test
  void backendErrorKeepsItsStatusAndMessage() {
    backend.behave(FakeOpenAiBackend.error(500, "the GPU caught fire"));
    assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("x").build()))
        .isInstanceOf(InternalServerException.class).hasMessageContaining("the GPU caught fire");
  }

  @Test
  void unknownPreviousResponseIdIsABadRequest() {
    assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("x").previousResponseId("resp_000000000000aaaa").build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("Previous response with id 'resp_000000000000aaaa' not found");
  }
}
