package dev.switchboard.bus;

import dev.switchboard.bus.impl.CallCodec;
import dev.switchboard.bus.impl.FrameCodec;
import dev.switchboard.bus.impl.SharedBytesCodec;
import io.vertx.core.Vertx;

/** Registers Switchboard's message codecs. Call once per Vertx instance, on every node of a cluster. */
public final class Codecs {

  private Codecs() {
  }

  public static void register(Vertx vertx) {
    vertx.eventBus()
        .registerDefaultCodec(Call.class, new CallCodec())
        .registerDefaultCodec(Frame.class, new FrameCodec())
        .registerCodec(new SharedBytesCodec());
  }
}
