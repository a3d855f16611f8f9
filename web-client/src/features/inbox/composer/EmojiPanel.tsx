// The emoji picker itself, loaded only when first opened (React.lazy). Native emoji: nothing
// is fetched from a CDN.
import EmojiPicker, { EmojiStyle } from "emoji-picker-react";

export default function EmojiPanel({ onPick }: { onPick: (emoji: string) => void }) {
  return (
    <EmojiPicker
      emojiStyle={EmojiStyle.NATIVE}
      onEmojiClick={(e) => onPick(e.emoji)}
      previewConfig={{ showPreview: false }}
      lazyLoadEmojis
      width={320}
      height={360}
    />
  );
}
