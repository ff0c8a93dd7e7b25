import { Tooltip } from 'antd';
import type { ReactNode } from 'react';

/**
 * Text of a table cell that antd cuts to one line, with the whole text in a tooltip. The column
 * needs `ellipsis: { showTitle: false }`, and a width or a table width to cut at.
 */
export function TruncatedText({ text, children }: { text: string; children?: ReactNode }) {
  return (
    <Tooltip placement="topLeft" title={text}>
      <span>{children ?? text}</span>
    </Tooltip>
  );
}
