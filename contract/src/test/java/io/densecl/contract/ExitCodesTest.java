package io.densecl.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

    @Test
    void everyResultHasItsOwnExitCode() {
        assertThat(Arrays.stream(TrainerResult.values())
                        .map(TrainerResult::exitCode)
                        .distinct())
                .hasSize(TrainerResult.values().length);
        for (TrainerResult r : TrainerResult.values()) {
            assertThat(TrainerResult.ofExitCode(r.exitCode())).isEqualTo(r);
        }
        assertThat(TrainerResult.ofExitCode(137)).isEqualTo(TrainerResult.Failed);
    }

    @Test
    void theCodesAreTheDocumentedOnes() {
        assertThat(new int[] {
                    ExitCodes.COMPLETE,
                    ExitCodes.FAILED,
                    ExitCodes.USAGE,
                    ExitCodes.DATA,
                    ExitCodes.LOCKED,
                    ExitCodes.STORAGE,
                    ExitCodes.DEVICE,
                    ExitCodes.CHECKPOINTED,
                    ExitCodes.CONFIG
                })
                .containsExactly(0, 1, 64, 65, 69, 73, 74, 75, 78);
        assertThat(ErrorClass.TrainingDiverged.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ErrorClass.StorageNotWritable.result()).isEqualTo(TrainerResult.StorageError);
        assertThat(ErrorClass.InsufficientStorage.exitCode()).isEqualTo(ExitCodes.STORAGE);
        assertThat(ErrorClass.CheckpointLocked.exitCode()).isEqualTo(ExitCodes.LOCKED);
    }
}
