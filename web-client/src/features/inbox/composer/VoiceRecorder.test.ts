import { asAudioFile, extensionOf } from "./VoiceRecorder";

const bytes = async (b: Blob) => new TextDecoder().decode(new Uint8Array(await b.arrayBuffer()));

test("an audio-only MP4 recording is labelled M4A so it is taken for audio", async () => {
  const rec = new Blob(["\0\0\0\x1cftypisom\0\0\x02\0moov…"], { type: "audio/mp4;codecs=opus" });
  const fixed = await asAudioFile(rec);
  expect(await bytes(fixed)).toBe("\0\0\0\x1cftypM4A \0\0\x02\0moov…");
  expect(fixed.type).toBe("audio/mp4;codecs=opus");
  expect(fixed.size).toBe(rec.size);
});

test("other recordings are left as they are", async () => {
  const ogg = new Blob(["OggS…"], { type: "audio/ogg;codecs=opus" });
  expect(await asAudioFile(ogg)).toBe(ogg);
  expect(extensionOf("audio/ogg;codecs=opus")).toBe("ogg");
  expect(extensionOf("audio/mp4")).toBe("m4a");
  expect(extensionOf("audio/webm;codecs=opus")).toBe("webm");
});
