package io.stackcompanion.recorder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process for {@link SigkillTest}: appends events forever and prints, every so often, how
 * many appends have returned, until it is killed.
 */
public final class KillableWriter {

    private KillableWriter() {}

    /** Usage: {@code KillableWriter DIR}. */
    public static void main(String[] args) {
        RecordingClock clock = RecordingClock.system();
        Recorder recorder = Recorder.open(Path.of(args[0]), TestRecordings.metadata("node", clock), clock);
        recorder.append(EventKind.STARTED, List.of(), new byte[0]);
        for (long i = 0; ; i++) {
            recorder.append(EventKind.INCOMING, List.of("Beta"), ("event-" + i).getBytes(StandardCharsets.UTF_8));
            if ((i + 1) % 100 == 0) {
                System.out.println(i + 1);
                System.out.flush();
            }
        }
    }
}
