import com.sun.tools.attach.VirtualMachine;

/**
 * Sends one command to async-profiler inside a running JVM (scripts/bench-profile.sh):
 * {@code ProfilerAttach PID LIBRARY COMMAND}, e.g. {@code start,event=cpu,interval=1ms} or
 * {@code stop,file=flame.html}. (jcmd's JVMTI.agent_load splits the option string at its commas.)
 */
public final class ProfilerAttach {

  private ProfilerAttach() {
  }

  public static void main(String[] args) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    try {
      vm.loadAgentPath(args[1], args[2]);
    } finally {
      vm.detach();
    }
  }
}
