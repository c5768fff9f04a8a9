// What a broker refuses in a batch before anything of the partition's append is written, as
// Kafka's UnifiedLog#analyzeAndValidateRecords and LogValidator refuse it: a batch larger than the
// topic's max.message.bytes (MESSAGE_TOO_LARGE), a record without a key on a compacted topic
// (INVALID_RECORD, with the record's index in recordErrors, v8+).
// @see https://kafka.apache.org/documentation/#topicconfigs_max.message.bytes
import { ERR } from '../../protocol/error-codes.ts';
import { KafkaDecodeError } from '../../protocol/primitives.ts';
import { decodeRecords, type BatchView } from '../../protocol/record-batch.ts';
import type { LogConfig } from '../../cluster/log.ts';

export interface BatchRefusal {
  errorCode: number;
  errorMessage: string;
  recordErrors?: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
}

export function refuseBatch(config: LogConfig, where: string, batch: BatchView, maxBatchBytes: number): BatchRefusal | undefined {
  if (batch.bytes.length > config.maxMessageBytes) {
    return {
      errorCode: ERR.MESSAGE_TOO_LARGE,
      errorMessage: `The record batch size in the append to ${where} is ${batch.bytes.length} bytes which exceeds the maximum configured value of ${config.maxMessageBytes}.`,
    };
  }
  if (!config.compacts) return undefined;
  let records: ReturnType<typeof decodeRecords>;
  try {
    records = decodeRecords(batch, maxBatchBytes);
  } catch (e) {
    if (e instanceof KafkaDecodeError) return { errorCode: ERR.CORRUPT_MESSAGE, errorMessage: e.message };
    throw e;
  }
  const keyless = records.findIndex((r) => r.key === null);
  if (keyless < 0) return undefined;
  const errorMessage = `Compacted topic cannot accept message without key in topic partition ${where}.`;
  return { errorCode: ERR.INVALID_RECORD, errorMessage, recordErrors: [{ batchIndex: keyless, batchIndexErrorMessage: null }] };
}
