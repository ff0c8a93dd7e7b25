import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Col, Flex, Result, Row, Typography } from 'antd';

import { describeError } from '../../app/describe-error.js';
import { PageSpinner } from '../../app/guards.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { fetchAccountSecurity, SECURITY_QUERY_KEY, type RequiredFactor } from './account.api.js';
import { PasskeysCard } from './PasskeysCard.js';
import { PasswordCard } from './PasswordCard.js';
import { EmailCard } from './EmailCard.js';
import { PhoneCard } from './PhoneCard.js';
import { RecoveryCodesCard } from './RecoveryCodesCard.js';
import { SessionsCard } from './SessionsCard.js';
import { SignInHistoryCard } from './SignInHistoryCard.js';
import { TotpCard } from './TotpCard.js';

const REQUIRED_FACTOR_NOTES: Readonly<Record<Exclude<RequiredFactor, 'none'>, MessageKey>> = {
  strong: 'security.requiredFactor.strong',
  any: 'security.requiredFactor.any',
};

/** Renders the member's own security settings: second factors, phone, password, sessions and sign-ins. */
export function AccountSecurityPage() {
  const t = useT();
  useDocumentTitle(t('menu.security'));
  const security = useQuery({ queryKey: SECURITY_QUERY_KEY, queryFn: fetchAccountSecurity });

  if (security.isPending) return <PageSpinner />;

  if (security.isError) {
    return (
      <Result
        status="error"
        title={t('security.loadFailed')}
        subTitle={describeError(security.error, t)}
        extra={<Button onClick={() => void security.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }

  const { totp, passkeys, recoveryCodesRemaining, phoneMasked, email, requiredFactor, password } = security.data;
  const requiredNote = requiredFactor === 'none' ? undefined : REQUIRED_FACTOR_NOTES[requiredFactor];

  return (
    <Flex vertical gap={16} data-testid="account-security">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('menu.security')}
      </Typography.Title>
      {requiredNote !== undefined && <Alert type="info" showIcon title={t(requiredNote)} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <TotpCard enrolled={totp.enrolled} />
        </Col>
        <Col xs={24} lg={12}>
          <RecoveryCodesCard remaining={recoveryCodesRemaining} />
        </Col>
      </Row>
      <PasskeysCard passkeys={passkeys} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <PhoneCard phoneMasked={phoneMasked} />
          <EmailCard email={email} />
        </Col>
        <Col xs={24} lg={12}>
          <PasswordCard password={password} />
        </Col>
      </Row>
      <SessionsCard />
      <SignInHistoryCard />
    </Flex>
  );
}
