import { describe, expect, it, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import DropZone from '../../src/ui/components/DropZone.svelte';

function transferOf(files: File[]): DataTransfer {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  return transfer;
}

describe('DropZone', () => {
  const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'scan.png', { type: 'image/png' });

  it('takes pasted files outside text fields, and leaves pastes into text fields alone', async () => {
    const onfiles = vi.fn();
    render(DropZone, { onfiles });
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transferOf([png]) }));
    expect(onfiles).toHaveBeenCalledTimes(1);
    expect(onfiles.mock.calls[0][0][0].name).toBe('scan.png');

    const field = document.createElement('textarea');
    document.body.append(field);
    field.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transferOf([png]), bubbles: true }));
    expect(onfiles).toHaveBeenCalledTimes(1);
    field.remove();
  });

  it('takes dropped files', async () => {
    const onfiles = vi.fn();
    const screen = render(DropZone, { onfiles });
    const zone = screen.container.querySelector('[data-testid=drop-zone]')!;
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transferOf([png]), bubbles: true, cancelable: true }));
    await expect.poll(() => onfiles.mock.calls.length).toBe(1);
    expect(onfiles.mock.calls[0][0].map((f: File) => f.name)).toEqual(['scan.png']);
  });
});
