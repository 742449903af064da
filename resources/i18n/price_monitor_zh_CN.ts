<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertHistoryPanel</name>
    <message>
        <location filename="../../app/ui/alert_history.py" line="129"/>
        <source>Newer</source>
        <translation>较新</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="130"/>
        <source>Older</source>
        <translation>较早</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="165"/>
        <source>Page %1 of %2 · %3 alerts</source>
        <translation>第 %1/%2 页 · 共 %3 条预警</translation>
    </message>
</context>
<context>
    <name>AlertPopup</name>
    <message>
        <location filename="../../app/ui/popup.py" line="113"/>
        <source>Price alert</source>
        <extracomment>Auto-close delay for entry and take-profit popups. Auto-close delay for stop-loss popups; 0 means &quot;stay until acknowledged&quot;. More popups than this and the oldest are closed (they remain in the history). Window flags shared by popups and the overflow notice: no taskbar entry, no frame, above QMT, and never given keyboard focus.</extracomment>
        <translation>价格预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="220"/>
        <source>Price: {price}</source>
        <translation>价格：{price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="224"/>
        <source>Level: {level}</source>
        <translation>触发价位：{level}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="233"/>
        <source>Market time: {time}</source>
        <translation>行情时间：{time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="240"/>
        <source>Show on chart</source>
        <translation>在图表中查看</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="242"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="250"/>
        <source>backfill</source>
        <translation>补数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="252"/>
        <source>replay</source>
        <translation>回放</translation>
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../app/ui/alert_history.py" line="60"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="61"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="62"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="63"/>
        <source>Alert</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="64"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="65"/>
        <source>Level</source>
        <translation>价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="66"/>
        <source>Previous price</source>
        <translation>前一价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="67"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="68"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="81"/>
        <source>Recorded at %1</source>
        <translation>记录于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="103"/>
        <source>live</source>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="104"/>
        <source>backfill</source>
        <translation>补数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="105"/>
        <source>replay</source>
        <translation>回放</translation>
    </message>
</context>
<context>
    <name>AlertTray</name>
    <message>
        <location filename="../../app/ui/tray.py" line="194"/>
        <source>{kind}: {symbol}</source>
        <extracomment>How long a balloon stays up (Windows may clamp this to its own setting).</extracomment>
        <translation>{kind}：{symbol}</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="201"/>
        <source>Price {price} (level {level})</source>
        <translation>价格 {price}（价位 {level}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="207"/>
        <source>Backfill: fired on data received after a gap</source>
        <translation>补数据：断线后补回的数据触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="209"/>
        <source>Replay: not a live alert</source>
        <translation>回放：非实时预警</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/tray.py" line="214"/>
        <source>Price Monitor - %n unread alert(s)</source>
        <translation>
            <numerusform>价格监控 - %n 条未读预警</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="215"/>
        <source>Price Monitor</source>
        <translation>价格监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="221"/>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="223"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>Alerts</name>
    <message>
        <location filename="../../app/ui/formatting.py" line="42"/>
        <source>Stop loss</source>
        <extracomment>Shown wherever a value is missing (no previous price, no time, ...). Significant digits kept when printing a float. 12 is well beyond any exchange tick size yet short enough to swallow binary float noise (0.1 + 0.2). Colours per alert kind; popups and the history view use the same ones so the trader learns one code. Stop loss is red, take profit green, entry blue.</extracomment>
        <translation>止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="44"/>
        <source>Take profit</source>
        <translation>止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="46"/>
        <source>Entry zone</source>
        <translation>进场区间</translation>
    </message>
</context>
<context>
    <name>CandleChart</name>
    <message>
        <location filename="../../app/ui/chart.py" line="133"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="346"/>
        <source>{level} · {name}</source>
        <translation>{level} · {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="352"/>
        <source>TP {price}</source>
        <translation>止盈 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="357"/>
        <source>SL {price}</source>
        <translation>止损 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="361"/>
        <source>Entry {price}</source>
        <translation>进场 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="367"/>
        <source>Entry {low}–{high}</source>
        <translation>进场区间 {low}–{high}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="548"/>
        <source>{time}  O {open}  H {high}  L {low}  C {close}  V {volume}</source>
        <translation>{time}  开 {open}  高 {high}  低 {low}  收 {close}  量 {volume}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="74"/>
        <source>Price Monitor</source>
        <translation>价格监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="86"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="127"/>
        <source>Watchlist</source>
        <translation>自选</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="137"/>
        <source>Monitor</source>
        <translation>监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="138"/>
        <source>Alert history</source>
        <translation>预警记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="139"/>
        <source>Rules and alerts</source>
        <translation>监控与预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="147"/>
        <source>Feed</source>
        <translation>行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="150"/>
        <source>DEMO DATA — replaying recorded market data</source>
        <translation>演示数据 — 正在回放历史行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="156"/>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="166"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="167"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="170"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="173"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="174"/>
        <location filename="../../app/ui/main_window.py" line="391"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="176"/>
        <source>Follow system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="182"/>
        <source>Alert sound</source>
        <translation>预警声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="190"/>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="256"/>
        <source>Feed: demo (%1 symbols)</source>
        <translation>行情：演示（%1 个品种）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="257"/>
        <source>%1 ticks/s</source>
        <translation>%1 笔/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="321"/>
        <source>%1 new alert(s)</source>
        <translation>%1 条新预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="331"/>
        <source>Database repaired</source>
        <translation>数据库已修复</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="333"/>
        <source>The database could not be read and was set aside as
%1
A new, empty database is in use. Nothing was deleted.</source>
        <translation>数据库无法读取，已另存为
%1
现在使用一个新的空数据库。没有删除任何文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="345"/>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="392"/>
        <source>The new language is used after a restart. Restart now?</source>
        <translation>新语言将在重启后生效。现在重启吗？</translation>
    </message>
</context>
<context>
    <name>MonitorPanel</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="337"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="338"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="340"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="341"/>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="342"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="343"/>
        <source>Start all</source>
        <translation>全部启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="344"/>
        <source>Stop all</source>
        <translation>全部停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="444"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="453"/>
        <source>Saved “%1”.</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="490"/>
        <source>Delete rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="491"/>
        <source>Delete “%1” (%2)? Its alert history is kept.</source>
        <translation>删除“%1”（%2）吗？它的预警记录会保留。</translation>
    </message>
</context>
<context>
    <name>OverflowNotice</name>
    <message numerus="yes">
        <location filename="../../app/ui/popup.py" line="299"/>
        <source>+%n more alert(s) in the history</source>
        <translation>
            <numerusform>预警记录中还有 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RuleForm</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="157"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="158"/>
        <source>every tick</source>
        <translation>每笔行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="159"/>
        <source>Only during trading hours</source>
        <translation>仅在交易时段</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="160"/>
        <source>Popup, tray and sound</source>
        <translation>弹窗、托盘和声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="162"/>
        <source>Auto trade (saved; order placement comes later)</source>
        <translation>自动交易（仅保存设置；下单功能后续提供）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="169"/>
        <source>On the market&apos;s clock (Beijing time for A-shares)</source>
        <translation>按市场时间（A股为北京时间）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="176"/>
        <source>low (optional)</source>
        <translation>下限（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="177"/>
        <source>high (optional)</source>
        <translation>上限（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="179"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="202"/>
        <source>Entry zone</source>
        <translation>进场区间</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="221"/>
        <source>Last %1</source>
        <translation>最新价 %1</translation>
    </message>
</context>
<context>
    <name>RuleTableModel</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="92"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="93"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="94"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="95"/>
        <source>Entry zone</source>
        <translation>进场区间</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="96"/>
        <source>Take profit</source>
        <translation>止盈价</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="97"/>
        <source>Stop loss</source>
        <translation>止损价</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="98"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="99"/>
        <source>Fired</source>
        <translation>已触发</translation>
    </message>
</context>
<context>
    <name>RuleText</name>
    <message>
        <location filename="../../app/ui/rule_text.py" line="20"/>
        <source>Task name</source>
        <translation>任务名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="21"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="22"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="23"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="24"/>
        <source>Check interval</source>
        <translation>检查间隔</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="25"/>
        <source>Auto trade</source>
        <translation>自动交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="26"/>
        <source>Trading hours only</source>
        <translation>仅交易时段</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="27"/>
        <source>Entry zone low</source>
        <translation>进场区间下限</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="28"/>
        <source>Entry zone high</source>
        <translation>进场区间上限</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="29"/>
        <source>Take profit</source>
        <translation>止盈价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="30"/>
        <source>Stop loss</source>
        <translation>止损价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="31"/>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="32"/>
        <source>Quant config</source>
        <translation>量化配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="33"/>
        <source>Validity</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="34"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="35"/>
        <source>Conditions</source>
        <translation>条件</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="36"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="43"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="44"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="45"/>
        <source>Triggered</source>
        <translation>已触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="46"/>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="52"/>
        <source>Until cancelled</source>
        <translation>长期有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="53"/>
        <source>Today only</source>
        <translation>当日有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="54"/>
        <source>Until a date and time</source>
        <translation>指定时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="60"/>
        <source>Entry</source>
        <translation>进场</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="61"/>
        <source>TP</source>
        <translation>止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="62"/>
        <source>SL</source>
        <translation>止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="70"/>
        <source>is required</source>
        <translation>不能为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="71"/>
        <source>must be text</source>
        <translation>必须是文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="72"/>
        <source>must be at most %1 characters</source>
        <translation>最多 %1 个字符</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="73"/>
        <source>must not contain spaces</source>
        <translation>不能包含空格</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="74"/>
        <source>must be a number</source>
        <translation>必须是数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="75"/>
        <source>must be a finite number</source>
        <translation>必须是有效数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="76"/>
        <source>must be above 0</source>
        <translation>必须大于 0</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="77"/>
        <source>must be a whole number</source>
        <translation>必须是整数</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="78"/>
        <source>must be at least %1</source>
        <translation>不能小于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="79"/>
        <source>must be true or false</source>
        <translation>必须是“是”或“否”</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="80"/>
        <source>is not a known status</source>
        <translation>不是有效状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="81"/>
        <source>must not be above the entry zone high (%1 &gt; %2)</source>
        <translation>不能高于进场区间上限（%1 &gt; %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="82"/>
        <source>must be below the take profit (%1 ≥ %2)</source>
        <translation>必须低于止盈价（%1 ≥ %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="83"/>
        <source>set at least one of take profit, stop loss or an entry zone bound</source>
        <translation>请至少设置止盈价、止损价或进场区间中的一项</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="84"/>
        <source>is not valid JSON: %1</source>
        <translation>不是有效的 JSON：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="85"/>
        <source>must be a JSON object</source>
        <translation>必须是 JSON 对象</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="86"/>
        <source>is not a known field</source>
        <translation>不是已知字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="87"/>
        <source>is not a known validity</source>
        <translation>不是有效的有效期类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="88"/>
        <source>must be a date and time</source>
        <translation>必须是日期时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="89"/>
        <source>is already in the past</source>
        <translation>已经过去</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="105"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>Watchlist</name>
    <message>
        <location filename="../../app/ui/watchlist.py" line="33"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="33"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="33"/>
        <source>Last</source>
        <translation>最新价</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="33"/>
        <source>Change</source>
        <translation>涨跌幅</translation>
    </message>
</context>
</TS>
