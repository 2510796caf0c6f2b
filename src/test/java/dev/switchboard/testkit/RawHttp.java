package dev.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/1.1 client over a socket, for what higher-level clients hide: reading a response slowly
 * with a small receive buffer, or vanishing mid-stream.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Opens a connection (with {@code receiveBuffer} bytes of socket buffer) and sends a POST. */
  public static RawHttp post(int port, String path, String body, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(10_000);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + TestNode.KEY + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return new RawHttp(s);
  }

  /** Reads until {@code marker} has been seen; returns everything read. */
  public String readUntil(String marker) throws IOException {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[1024];
    while (!sb.toString().contains(marker)) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Reads at most {@code max} bytes that are available now or soon; -1 at end of stream. */
  public int read(byte[] buf, int max) throws IOException {
    return in.read(buf, 0, Math.min(max, buf.length));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
