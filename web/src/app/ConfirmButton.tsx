import { Button, Popconfirm, type ButtonProps } from 'antd';

import { useT } from '../i18n/index.js';

interface ConfirmButtonProps {
  /** Test id of the button; the confirm button of the pop-up gets `<testId>-confirm`. */
  testId: string;
  label: string;
  /** The accessible name, when the visible label alone is ambiguous (one button per table row). */
  ariaLabel?: string;
  title: string;
  description?: string;
  okText: string;
  danger?: boolean;
  type?: ButtonProps['type'];
  size?: ButtonProps['size'];
  loading?: boolean;
  disabled?: boolean;
  onConfirm: () => void;
}

/** Renders a button that shows a confirmation pop-up and acts only after the member confirms. */
export function ConfirmButton({ testId, label, ariaLabel, title, description, okText, danger = false, type, size, loading = false, disabled = false, onConfirm }: ConfirmButtonProps) {
  const t = useT();

  // Options objects are not JSX, so the test id goes in through a spread that skips the excess-property check.
  const okButtonProps: ButtonProps = { danger, ...{ 'data-testid': `${testId}-confirm` } };

  return (
    <Popconfirm title={title} description={description} okText={okText} cancelText={t('common.cancel')} okButtonProps={okButtonProps} onConfirm={onConfirm} disabled={disabled || loading}>
      <Button data-testid={testId} aria-label={ariaLabel} danger={danger} type={type} size={size} loading={loading} disabled={disabled}>
        {label}
      </Button>
    </Popconfirm>
  );
}
