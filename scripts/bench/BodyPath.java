import dev.switchboard.bus.RequestBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU a big body costs on its way through, without the network: the body pass
 * ({@code RequestBody.read}), the {@code model} edit, and the copy into a direct buffer that Netty's
 * write makes of a heap buffer. Best of 15 rounds of 3,000, in µs per body. For A/Bs of the body path
 * that the end-to-end figures cannot resolve on a noisy machine (a few tens of µs in ~1 ms):
 *
 * <pre>taskset -c 1 java -XX:+UseSerialGC -Xmn32m -cp target/switchboard.jar scripts/bench/BodyPath.java BODY.json</pre>
 *
 * BODY.json: a chat completion request (its {@code model} is replaced by "bench"), e.g. an agent's
 * ~100 KB context. The body is assembled from 16 KB chunks into a buffer sized up front, as the API's
 * body handler does.
 */
public class BodyPath {
  public static void main(String[] args) throws Exception {
    byte[] raw = Files.readAllBytes(Path.of(args[0]));
    Buffer body = Buffer.buffer(raw.length);
    for (int i = 0; i < raw.length; i += 16384) {
      body.appendBytes(raw, i, Math.min(16384, raw.length - i));
    }
    long best = Long.MAX_VALUE;
    long sink = 0;
    for (int round = 0; round < 15; round++) {
      int n = 3000;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Buffer edited = RequestBody.read(body).withModel("bench");
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(edited.length());
        direct.writeBytes(((BufferInternal) edited).getByteBuf());
        sink += direct.readableBytes();
        direct.release();
      }
      best = Math.min(best, (System.nanoTime() - t0) / n);
    }
    System.out.printf("%d bytes: read, edit and copy to a direct buffer: best %.1f us (%d)%n", raw.length, best / 1e3,
        sink % 7);
  }
}
