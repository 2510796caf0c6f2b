package dev.switchboard.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Log lines to stdout from a thread of their own, in batches: logback's AsyncAppender in front of its
 * ConsoleAppender, less two costs that showed in the request path's profile (~9 % of the CPU at
 * saturation, docs/benchmarks.md). There, every line woke the appender's thread (a futex on the event
 * loop, a context switch) and went out in a {@code write} of its own. Here the thread, once woken,
 * waits {@link #BATCH_WAIT_NANOS} for the lines that follow, then encodes them all into one buffer and
 * writes it at once; while lines keep coming it never blocks on the queue, so an event loop's
 * {@code offer} wakes nobody. A line is written at most ~1 ms later than before.
 *
 * <p>As before, an event loop never waits on stdout (a slow {@code docker logs} reader, a full pipe):
 * when the queue is four-fifths full INFO and below are dropped, and a full queue drops any line.
 * {@link #stop()} writes what is queued (Shutdown stops the logger context).
 */
public final class StdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  static final long BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  /** Null: {@code System.out} as it is at each write, as logback's ConsoleAppender does (a test runner may swap it). */
  private OutputStream out;
  private BlockingQueue<ILoggingEvent> queue;
  private Thread worker;
  private volatile boolean stopping;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** Where the lines go; stdout unless a test says otherwise. Before {@link #start()}. */
  void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for the appender named [" + name + "]");
      return;
    }
    if (queueSize < 1) {
      addError("queueSize: " + queueSize + " (expected: > 0)");
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    stopping = false;
    write(encoder.headerBytes());
    worker = new Thread(this::run, "logback-stdout-" + name);
    worker.setDaemon(true);
    worker.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    // AsyncAppender's discarding threshold: past four-fifths full, keep WARN and ERROR only.
    if (queue.remainingCapacity() < queueSize / 5 && !event.getLevel().isGreaterOrEqual(Level.WARN)) {
      return;
    }
    event.prepareForDeferredProcessing();
    queue.offer(event); // never blocks: a full queue drops the line
  }

  private void run() {
    List<ILoggingEvent> batch = new ArrayList<>();
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 * 1024);
    while (!stopping) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break; // stop() writes what is left
      }
      // The next lines are likely on their way: one wake-up and one write for all of them.
      LockSupport.parkNanos(BATCH_WAIT_NANOS);
      queue.drainTo(batch);
      flush(batch, buf);
    }
  }

  private void flush(List<ILoggingEvent> batch, ByteArrayOutputStream buf) {
    for (ILoggingEvent e : batch) {
      try {
        buf.writeBytes(encoder.encode(e));
      } catch (RuntimeException ex) {
        addError("could not encode a log line", ex);
      }
    }
    batch.clear();
    if (buf.size() > 0) {
      try {
        OutputStream target = out == null ? System.out : out;
        buf.writeTo(target);
        target.flush();
      } catch (IOException ex) {
        addError("could not write to stdout", ex);
      }
    }
    buf.reset();
  }

  private void write(byte[] bytes) {
    if (bytes != null && bytes.length > 0) {
      try {
        OutputStream target = out == null ? System.out : out;
        target.write(bytes);
        target.flush();
      } catch (IOException ex) {
        addError("could not write to stdout", ex);
      }
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    stopping = true;
    worker.interrupt();
    try {
      worker.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      addWarn("stdout did not take the last log lines within 1 s; they are dropped");
      return;
    }
    List<ILoggingEvent> rest = new ArrayList<>();
    queue.drainTo(rest);
    flush(rest, new ByteArrayOutputStream());
    write(encoder.footerBytes());
  }
}
