package dev.switchboard.api;

import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.inputitems.InputItemListPage;
import com.openai.models.responses.inputitems.InputItemListParams;
import com.openai.models.responses.inputtokens.InputTokenCountParams;
import dev.switchboard.testkit.OneModelSdkSpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official OpenAI Java SDK's calls on stored responses beyond retrieve and delete: listing a
 * response's input items, cancelling one, and counting a request's input tokens.
 */
class ResponsesItemsSdkTest extends OneModelSdkSpec {

  /** A tool call, then its output chained by previous_response_id: the second response's context has 3 items. */
  private Response toolRoundTrip() {
    backend.behave(ResponsesSdkTest.toolThenDone());
    Response first = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .input("Weather in Paris?").addTool(ResponsesSdkTest.weatherTool()).build());
    ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream()).findFirst()
        .orElseThrow();
    return client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .previousResponseId(first.id()).addTool(ResponsesSdkTest.weatherTool())
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId(call.callId()).output("sunny").build()))).build());
  }

  @Test
  void inputItemsAreTheWholeContextNewestFirst() {
    Response second = toolRoundTrip();

    InputItemListPage page = client.responses().inputItems().list(second.id());

    List<ResponseItem> items = page.data();
    assertThat(items).hasSize(3);
    assertThat(items.get(0).functionCallOutput()).hasValueSatisfying(o -> {
      assertThat(o.callId()).isEqualTo("call_abc");
      assertThat(o.id()).isNotBlank();
    });
    assertThat(items.get(1).functionCall()).hasValueSatisfying(c -> assertThat(c.name()).isEqualTo("get_weather"));
    assertThat(items.get(2).responseInputMessageItem()).hasValueSatisfying(m -> {
      assertThat(m.content().get(0).inputText().orElseThrow().text()).isEqualTo("Weather in Paris?");
      assertThat(m.id()).startsWith("msg_");
    });
    assertThat(page.hasMore()).hasValue(false);
    assertThat(page.response().firstId()).isEqualTo(items.get(0).functionCallOutput().orElseThrow().id());
  }

  @Test
  void inputItemsArePagedByLimitOrderAndAfter() {
    Response second = toolRoundTrip();

    InputItemListPage page = client.responses().inputItems().list(second.id(), InputItemListParams.builder()
        .limit(2).order(InputItemListParams.Order.ASC).build());
    assertThat(page.data()).hasSize(2);
    assertThat(page.data().get(0).isResponseInputMessageItem()).isTrue();
    assertThat(page.data().get(1).isFunctionCall()).isTrue();
    assertThat(page.hasMore()).hasValue(true);

    InputItemListPage next = page.nextPage();
    assertThat(next.data()).hasSize(1);
    assertThat(next.data().get(0).isFunctionCallOutput()).isTrue();
    assertThat(next.hasMore()).hasValue(false);

    List<ResponseItem> all = new ArrayList<>();
    client.responses().inputItems().list(second.id(), InputItemListParams.builder().limit(1).build()).autoPager()
        .forEach(all::add);
    assertThat(all).hasSize(3);
    assertThat(all.get(0).isFunctionCallOutput()).isTrue();
  }

  @Test
  void inputItemsOfAStringInputAreOneUserMessage() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("ping").build());

    List<ResponseItem> items = client.responses().inputItems().list(r.id()).data();

    assertThat(items).hasSize(1);
    assertThat(items.get(0).responseInputMessageItem()).hasValueSatisfying(m ->
        assertThat(m.content().get(0).inputText().orElseThrow().text()).isEqualTo("ping"));
  }

  @Test
  void inputItemsOfAnUnknownResponseAreNotFoundAndABadLimitIsABadRequest() {
    assertThatThrownBy(() -> client.responses().inputItems().list("resp_000000000000aaaa"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("not found");
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("ping").build());
    HttpResponse<String> tooMany = sb.get("/responses/" + r.id() + "/input_items?limit=101");
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(tooMany.body()).getJsonObject("error").getString("param")).isEqualTo("limit");
  }

  @Test
  void cancellingAResponseThatIsNotABackgroundOneIsABadRequestAsOpenAiAnswers() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("ping").build());

    assertThatThrownBy(() -> client.responses().cancel(r.id()))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("Cannot cancel a synchronous response.");
    assertThatThrownBy(() -> client.responses().cancel("resp_000000000000aaaa"))
        .isInstanceOf(NotFoundException.class);
    HttpResponse<String> withoutV1 = sb.post("/responses/" + r.id() + "/cancel", "");
    assertThat(withoutV1.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(withoutV1.body()).getJsonObject("error").getString("type"))
        .isEqualTo("invalid_request_error");
    assertThat(client.responses().retrieve(r.id()).id()).isEqualTo(r.id());
  }

  @Test
  void inputTokensAreEstimatedWithoutAskingTheBackend() {
    int before = backend.received().size();

    long small = client.responses().inputTokens().count(InputTokenCountParams.builder().model("qwen3-coder")
        .input("ping").build()).inputTokens();
    long large = client.responses().inputTokens().count(InputTokenCountParams.builder().model("qwen3-coder")
        .instructions("Be brief.").input("word ".repeat(400)).build()).inputTokens();

    assertThat(small).isBetween(1L, 20L);
    assertThat(large).isBetween(500L, 600L); // 2,000 characters of input, a token per 4 of the encoded prompt
    assertThat(backend.received()).hasSize(before);
  }

  @Test
  void inputTokensCountAPreviousResponsesConversationAndAnswerWithoutV1() {
    Response second = toolRoundTrip();

    HttpResponse<String> counted = sb.post("/responses/input_tokens", new JsonObject().put("model", "qwen3-coder")
        .put("previous_response_id", second.id()).put("input", "and tomorrow?").encode());

    assertThat(counted.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(counted.body());
    assertThat(body.getString("object")).isEqualTo("response.input_tokens");
    assertThat(body.getLong("input_tokens")).isGreaterThan(20L);
    HttpResponse<String> unknown = sb.post("/responses/input_tokens", new JsonObject()
        .put("previous_response_id", "resp_000000000000aaaa").put("input", "x").encode());
    assertThat(unknown.statusCode()).isEqualTo(400);
  }
}
